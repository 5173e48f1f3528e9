// Writes Jackson polymorphic-typing positive samples for internal/sniff.
//   CP=/usr/share/java/jackson-databind.jar:/usr/share/java/jackson-core.jar:/usr/share/java/jackson-annotations.jar
//   javac -cp $CP -d /tmp/sniffgen GenJackson.java && java -cp $CP:/tmp/sniffgen GenJackson
// (Debian package libjackson2-databind-java.) Expected classes are the
// classes whose names Jackson writes in "@class".
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.jsontype.impl.LaissezFaireSubTypeValidator;
import java.nio.file.*;
import java.util.*;

public class GenJackson {
    @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS)
    public static class Shape {
        public String label = "s";
    }

    public static class Circle extends Shape {
        public double r = 2.0;
    }

    public static class Drawing {
        public String title = "d";
        public Shape main = new Circle();
        public Object extra = new Circle();
    }

    public static void main(String[] a) throws Exception {
        Path out = Paths.get("../positive");
        StringBuilder m = new StringBuilder();

        String annotated = new ObjectMapper().writeValueAsString(new Drawing());
        Files.writeString(out.resolve("jackson_annotated.json"), annotated);
        m.append("{\"classes\": [\"GenJackson$Circle\"], \"encoding\": \"raw\", \"exact\": true, \"file\": \"jackson_annotated.json\", "
                + "\"format\": \"json-type-indicator\", \"how\": \"ObjectMapper.writeValueAsString with @JsonTypeInfo(use=CLASS) on a base class (Jackson 2.14)\", \"strong\": true}\n");

        ObjectMapper typed = new ObjectMapper();
        typed.activateDefaultTyping(LaissezFaireSubTypeValidator.instance, ObjectMapper.DefaultTyping.EVERYTHING,
                JsonTypeInfo.As.PROPERTY);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("when", new Date(1714566600000L));
        root.put("shape", new Circle());
        String t = typed.writeValueAsString(root);
        Files.writeString(out.resolve("jackson_default_typing.json"), t);
        m.append("{\"classes\": [\"java.util.LinkedHashMap\", \"GenJackson$Circle\"], \"encoding\": \"raw\", \"exact\": false, \"file\": \"jackson_default_typing.json\", "
                + "\"format\": \"json-type-indicator\", \"how\": \"activateDefaultTyping(EVERYTHING, As.PROPERTY) on a LinkedHashMap with Date and Circle (Jackson 2.14)\", \"strong\": true}\n");
        Files.writeString(out.resolve("jackson.manifest.jsonl"), m.toString());
        System.out.println(annotated + "\n" + t);
    }
}
