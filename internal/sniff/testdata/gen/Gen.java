// Writes Java serialization positive samples for internal/sniff.
//
//   javac -d /tmp/sniffgen Gen.java && java -cp /tmp/sniffgen Gen
//
// The expected class list of each sample is what ObjectInputStream itself
// asks for while reading the bytes we just wrote (resolveClass and
// resolveProxyClass, in stream order).
import java.io.*;
import java.lang.reflect.*;
import java.nio.file.*;
import java.util.*;

public class Gen {
    public static class Base implements Serializable {
        private static final long serialVersionUID = 1L;
        protected long id = 99;
    }

    public enum Color { RED, GREEN }

    public static class Address implements Serializable {
        private static final long serialVersionUID = 2L;
        String street = "1 Main St";
        String city = "Springfield";
    }

    public static class Profile extends Base {
        private static final long serialVersionUID = 3L;
        String name;
        int age = 42;
        boolean admin = true;
        double score = 1.5;
        char grade = 'A';
        Color color = Color.GREEN;
        int[] scores = {1, 2, 3};
        String[] tags = {"x", "y"};
        Address address = new Address();
        Map<String, Object> extra = new HashMap<>();
        Date created = new Date(1714566600000L);

        Profile(String name) {
            this.name = name;
            extra.put("k", Long.valueOf(7));
            extra.put("list", new ArrayList<>(List.of("a", "b")));
        }

        private void writeObject(ObjectOutputStream out) throws IOException {
            out.defaultWriteObject();
            out.writeInt(12345);
            out.writeUTF("custom");
        }

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            in.readInt();
            in.readUTF();
        }
    }

    public static class Ext implements Externalizable {
        private static final long serialVersionUID = 4L;
        String v = "ext";

        public Ext() {}

        public void writeExternal(ObjectOutput out) throws IOException {
            out.writeUTF(v);
            out.writeObject(new Address());
        }

        public void readExternal(ObjectInput in) throws IOException, ClassNotFoundException {
            v = in.readUTF();
            in.readObject();
        }
    }

    public static class Handler implements InvocationHandler, Serializable {
        private static final long serialVersionUID = 5L;
        String target = "t";

        public Object invoke(Object p, Method m, Object[] a) {
            return null;
        }
    }

    static final Path OUT = Paths.get(System.getProperty("out", "../positive"));
    static final StringBuilder manifest = new StringBuilder();

    static byte[] ser(Object... objs) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (ObjectOutputStream oo = new ObjectOutputStream(bo)) {
            for (Object o : objs) oo.writeObject(o);
        }
        return bo.toByteArray();
    }

    /** Reads our own sample back, recording every class the stream names. */
    static List<String> classesOf(byte[] data, int objects) throws Exception {
        List<String> seen = new ArrayList<>();
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(data)) {
            @Override
            protected Class<?> resolveClass(ObjectStreamClass d) throws IOException, ClassNotFoundException {
                if (!seen.contains(d.getName())) seen.add(d.getName());
                return super.resolveClass(d);
            }

            @Override
            protected Class<?> resolveProxyClass(String[] ifaces) throws IOException, ClassNotFoundException {
                for (String s : ifaces) if (!seen.contains(s)) seen.add(s);
                return super.resolveProxyClass(ifaces);
            }
        }) {
            for (int i = 0; i < objects; i++) in.readObject();
        }
        return seen;
    }

    static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    static void write(String file, byte[] value, String enc, List<String> classes, boolean strong, boolean exact, String how)
            throws IOException {
        Files.write(OUT.resolve(file), value);
        StringBuilder cl = new StringBuilder("[");
        for (int i = 0; i < classes.size(); i++) cl.append(i > 0 ? ", " : "").append(json(classes.get(i)));
        cl.append("]");
        manifest.append("{\"classes\": ").append(cl).append(", \"encoding\": ").append(json(enc))
                .append(", \"exact\": ").append(exact).append(", \"file\": ").append(json(file))
                .append(", \"format\": \"java-serialization\", \"how\": ").append(json(how))
                .append(", \"strong\": ").append(strong).append("}\n");
    }

    static void variants(String base, byte[] data, int objects, String how) throws Exception {
        List<String> cls = classesOf(data, objects);
        write(base + ".bin", data, "raw", cls, true, true, how);
        write(base + ".b64", Base64.getEncoder().encode(data), "base64", cls, true, true, how + " | base64");
        String u = Base64.getUrlEncoder().withoutPadding().encodeToString(data);
        boolean urlish = u.contains("-") || u.contains("_") || u.length() % 4 != 0;
        write(base + ".b64url", u.getBytes(), urlish ? "base64url" : "base64", cls, true, true,
                how + " | URL-safe base64 without padding");
        write(base + ".hex", HexFormat.of().formatHex(data).getBytes(), "hex", cls, true, true, how + " | hex");
    }

    public static void main(String[] a) throws Exception {
        Map<String, Object> m = new HashMap<>();
        m.put("user", "alice");
        m.put("age", 42);
        m.put("roles", new ArrayList<>(List.of("admin", "staff")));
        m.put("created", new Date(1714566600000L));
        variants("java_hashmap", ser(m), 1, "ObjectOutputStream.writeObject(HashMap with String, Integer, ArrayList, Date)");

        variants("java_profile", ser(new Profile("bob")), 1,
                "ObjectOutputStream.writeObject(Gen$Profile extends Gen$Base, with enum, arrays, nested object, HashMap, custom writeObject)");

        byte[] ext = ser(new Ext());
        write("java_externalizable.b64", Base64.getEncoder().encode(ext), "base64", classesOf(ext, 1), true, true,
                "ObjectOutputStream.writeObject(Externalizable Gen$Ext) | base64");

        Object proxy = Proxy.newProxyInstance(Gen.class.getClassLoader(), new Class<?>[] {Runnable.class, Comparable.class},
                new Handler());
        byte[] px = ser(proxy);
        write("java_proxy.b64", Base64.getEncoder().encode(px), "base64", classesOf(px, 1), true, true,
                "ObjectOutputStream.writeObject(java.lang.reflect.Proxy for Runnable+Comparable, Gen$Handler) | base64");

        byte[] multi = ser("hello", Color.RED, new int[] {1, 2}, new TreeMap<>(Map.of("a", 1)), Integer.valueOf(5));
        write("java_multi.b64", Base64.getEncoder().encode(multi), "base64", classesOf(multi, 5), true, true,
                "five writeObject calls: String, enum, int[], TreeMap, Integer | base64");

        byte[] str = ser("just a string");
        write("java_string.b64", Base64.getEncoder().encode(str), "base64", List.of(), true, true,
                "ObjectOutputStream.writeObject(\"just a string\") | base64");

        byte[] prof = ser(new Profile("carol"));
        byte[] cut = Arrays.copyOf(prof, prof.length * 6 / 10);
        write("java_truncated.b64", Base64.getEncoder().encode(cut), "base64",
                List.of("Gen$Profile", "Gen$Base"), false, false, "first 60% of the Gen$Profile stream | base64");

        String vs = Base64.getEncoder().encodeToString(ser(m));
        String html = "<html><body><form id=\"f\" method=\"post\" action=\"/app/index.xhtml\">\n"
                + "<input type=\"text\" name=\"f:q\" value=\"\" />\n"
                + "<input type=\"hidden\" name=\"javax.faces.ViewState\" id=\"j_id1:javax.faces.ViewState:0\" value=\""
                + vs + "\" autocomplete=\"off\" />\n</form></body></html>\n";
        write("java_viewstate.html", html.getBytes(), "base64", classesOf(ser(m), 1), true, true,
                "HTML form with a JSF-style javax.faces.ViewState hidden input holding base64(HashMap stream)");

        // MyFaces/Mojarra client-side state is often gzip'd before base64.
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream g = new java.util.zip.GZIPOutputStream(gz)) {
            g.write(ser(new Profile("dora")));
        }
        write("java_viewstate_gzip.b64", Base64.getEncoder().encode(gz.toByteArray()), "base64+gzip",
                classesOf(ser(new Profile("dora")), 1), true, true, "base64(GZIPOutputStream(Gen$Profile stream)), a compressed ViewState");

        Files.writeString(OUT.resolve("java.manifest.jsonl"), manifest.toString());
        System.out.println("java samples written");
    }
}
