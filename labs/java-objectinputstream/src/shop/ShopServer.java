package shop;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * cart-service: a small shop API on the JDK's built-in HTTP server. The shopper's session
 * (identity + cart) is kept by the client: cookie {@value #COOKIE}, header {@value #HEADER}
 * and the JSON field "state". LAB_VARIANT=vulnerable uses Java serialization for it and echoes
 * exception details; LAB_VARIANT=fixed uses HMAC-signed JSON and answers bad input with 400.
 */
public final class ShopServer {
    static final String COOKIE = "session_state";
    static final String HEADER = "X-Session-State";
    static final String JAVA_SERIALIZED = "application/x-java-serialized-object";
    private static final int MAX_BODY = 64 * 1024;
    private static final int TRACE_FRAMES = 12;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final boolean vulnerable;
    private final Catalog catalog;
    private final StateCodec codec;

    /** An answer whose status and message the client may see. */
    static final class ApiError extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        ApiError(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    ShopServer(boolean vulnerable, Catalog catalog, StateCodec codec) {
        this.vulnerable = vulnerable;
        this.catalog = catalog;
        this.codec = codec;
    }

    public static void main(String[] args) throws Exception {
        int port = -1;
        for (int k = 0; k + 1 < args.length; k += 2) {
            if (args[k].equals("--port")) {
                port = Integer.parseInt(args[k + 1]);
            }
        }
        if (port < 1 || port > 65535) {
            System.err.println("usage: java shop.ShopServer --port N   (env LAB_VARIANT, LAB_SECRET_KEY)");
            System.exit(2);
        }
        String variant = System.getenv().getOrDefault("LAB_VARIANT", "vulnerable");
        if (!variant.equals("vulnerable") && !variant.equals("fixed")) {
            System.err.println("LAB_VARIANT must be vulnerable or fixed");
            System.exit(2);
        }
        boolean vulnerable = variant.equals("vulnerable");
        Catalog catalog = new Catalog();
        StateCodec codec;
        if (vulnerable) {
            codec = new JavaSerializationCodec();
        } else {
            String secret = System.getenv("LAB_SECRET_KEY");
            if (secret == null || secret.isEmpty()) {
                System.err.println("the fixed variant needs LAB_SECRET_KEY");
                System.exit(2);
            }
            codec = new SignedJsonCodec(secret.getBytes(StandardCharsets.UTF_8), catalog);
        }
        ShopServer app = new ShopServer(vulnerable, catalog, codec);

        // Loopback only, by address (no name lookup).
        InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        HttpServer server = HttpServer.create(new InetSocketAddress(loopback, port), 64);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        server.setExecutor(pool);
        server.createContext("/", app::handle);
        server.start();
        // No shutdown hook: HttpServer.stop() waits up to a second for its dispatcher; on
        // SIGTERM the JVM simply exits and the listening socket goes with it.
        System.err.printf("cart-service (%s) listening on http://127.0.0.1:%d/%n", variant, port);
    }

    // ---------------------------------------------------------------- dispatch and errors

    void handle(HttpExchange ex) {
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getRawPath();
        int status = 500;
        try {
            status = route(ex, method, path);
        } catch (ApiError e) {
            status = trySend(ex, e.status, error(e.getMessage()));
        } catch (StateCodec.BadStateException e) {
            System.err.println("rejected client state: " + e.getMessage());
            status = trySend(ex, 400, error("bad request"));
        } catch (Throwable t) {
            System.err.println("unhandled error on " + method + " " + path);
            t.printStackTrace();
            // The vulnerable build answers like a careless app: exception class, message and
            // the top of the stack trace, straight into the JSON error.
            status = trySend(ex, 500, vulnerable ? detail(t, path) : error("server error"));
        } finally {
            ex.close();
            System.err.printf("%s %s %s %d%n", Instant.now(), method, ex.getRequestURI(), status);
        }
    }

    private static Map<String, Object> error(String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", message);
        return m;
    }

    private static Map<String, Object> detail(Throwable t, String path) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", t.toString());
        m.put("exception", t.getClass().getName());
        m.put("message", t.getMessage());
        m.put("path", path);
        List<String> trace = new ArrayList<>();
        StackTraceElement[] st = t.getStackTrace();
        for (int k = 0; k < st.length && k < TRACE_FRAMES; k++) {
            trace.add(st[k].toString());
        }
        m.put("trace", trace);
        return m;
    }

    private int route(HttpExchange ex, String method, String path) throws Exception {
        switch (path) {
            case "/":
                allow(ex, method, "GET");
                return send(ex, 200, index());
            case "/openapi.json":
                allow(ex, method, "GET");
                return send(ex, 200, OpenApi.document(ex.getRequestHeaders().getFirst("Host")));
            case "/api/products":
                allow(ex, method, "GET");
                return send(ex, 200, products());
            case "/api/session":
                allow(ex, method, "GET");
                return session(ex);
            case "/api/session/restore":
                allow(ex, method, "POST");
                return restore(ex);
            case "/api/cart":
                allow(ex, method, "GET");
                return cart(ex);
            case "/api/cart/items":
                allow(ex, method, "POST");
                return addItem(ex);
            default:
                throw new ApiError(404, "not found");
        }
    }

    private static void allow(HttpExchange ex, String method, String allowed) throws ApiError {
        if (method.equals(allowed) || (allowed.equals("GET") && method.equals("HEAD"))) {
            return;
        }
        ex.getResponseHeaders().set("Allow", allowed.equals("GET") ? "GET, HEAD" : allowed);
        throw new ApiError(405, "method not allowed");
    }

    // ---------------------------------------------------------------- endpoints

    private Map<String, Object> index() {
        Map<String, Object> links = new LinkedHashMap<>();
        links.put("openapi", "/openapi.json");
        links.put("products", "/api/products");
        links.put("session", "/api/session");
        links.put("session_restore", "/api/session/restore");
        links.put("cart", "/api/cart");
        links.put("cart_items", "/api/cart/items");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("service", "cart-service");
        m.put("links", links);
        return m;
    }

    private Map<String, Object> products() {
        List<Object> list = new ArrayList<>();
        for (Catalog.Item it : catalog.all()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("sku", it.sku());
            m.put("title", it.title());
            m.put("price_cents", it.priceCents());
            list.add(m);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("products", list);
        return m;
    }

    /** GET /api/session: who am I. Restores the session cookie; a fresh guest session if none. */
    private int session(HttpExchange ex) throws Exception {
        String token = cookie(ex, COOKIE);
        SessionState s;
        if (token == null) {
            s = newSession();
        } else {
            try {
                s = codec.decode(token);
            } catch (StateCodec.BadStateException e) {
                throw e;
            } catch (Exception e) {
                // "Don't leak internals on the session endpoint": this one handler hides the
                // details (generic 500), yet it still ran readObject on the cookie.
                System.err.println("session cookie could not be restored");
                e.printStackTrace();
                throw new ApiError(500, "Internal Server Error");
            }
        }
        return sendState(ex, 200, s, sessionView(s));
    }

    /** POST /api/session/restore: body = the state token (text), or a raw serialized stream. */
    private int restore(HttpExchange ex) throws Exception {
        byte[] body = body(ex);
        if (body.length == 0) {
            throw new ApiError(400, "empty body: send the state token");
        }
        String ct = ex.getRequestHeaders().getFirst("Content-Type");
        boolean raw = (ct != null && ct.toLowerCase(Locale.ROOT).startsWith(JAVA_SERIALIZED))
                || (body.length > 1 && (body[0] & 0xff) == 0xac && (body[1] & 0xff) == 0xed);
        SessionState s = raw ? codec.decodeBytes(body) : codec.decode(new String(body, StandardCharsets.UTF_8));
        return sendState(ex, 200, s, sessionView(s));
    }

    /** GET /api/cart: the cart of the session in X-Session-State (or the cookie). */
    private int cart(HttpExchange ex) throws Exception {
        String token = ex.getRequestHeaders().getFirst(HEADER);
        if (token == null || token.isBlank()) {
            token = cookie(ex, COOKIE);
        }
        SessionState s = token == null ? newSession() : codec.decode(token);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("session_id", s.getSessionId());
        m.put("cart", cartView(s.getCart()));
        return sendState(ex, 200, s, m);
    }

    /** POST /api/cart/items {"sku": "MUG-01", "qty": 1, "state": "..."}: add to the cart. */
    private int addItem(HttpExchange ex) throws Exception {
        Object parsed;
        try {
            parsed = Json.parse(new String(body(ex), StandardCharsets.UTF_8));
        } catch (Json.ParseException e) {
            throw new ApiError(400, "body must be JSON: " + e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> req)) {
            throw new ApiError(400, "body must be a JSON object");
        }
        if (!(req.get("sku") instanceof String sku) || catalog.get(sku) == null) {
            throw new ApiError(400, "unknown sku");
        }
        Object q = req.containsKey("qty") ? req.get("qty") : Long.valueOf(1);
        if (!(q instanceof Long qty) || qty < 1 || qty > 99) {
            throw new ApiError(400, "qty must be an integer from 1 to 99");
        }
        String token = null;
        if (req.get("state") != null) {
            if (!(req.get("state") instanceof String t)) {
                throw new ApiError(400, "state must be a string");
            }
            token = t;
        }
        if (token == null || token.isBlank()) {
            token = ex.getRequestHeaders().getFirst(HEADER);
        }
        if (token == null || token.isBlank()) {
            token = cookie(ex, COOKIE);
        }
        SessionState s = token == null ? newSession() : codec.decode(token);
        Catalog.Item item = catalog.get(sku);
        s.getCart().add(item.sku(), qty.intValue(), item.priceCents());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("session_id", s.getSessionId());
        m.put("cart", cartView(s.getCart()));
        return sendState(ex, 201, s, m);
    }

    // ---------------------------------------------------------------- helpers

    private static SessionState newSession() {
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        return new SessionState(HexFormat.of().formatHex(id), "guest", "guest", System.currentTimeMillis() / 1000);
    }

    private Map<String, Object> sessionView(SessionState s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("session_id", s.getSessionId());
        m.put("username", s.getUsername());
        m.put("role", s.getRole());
        m.put("created_at", s.getCreatedAt());
        m.put("cart", cartView(s.getCart()));
        return m;
    }

    private Map<String, Object> cartView(Cart c) {
        List<Object> lines = new ArrayList<>();
        for (CartLine l : c.getLines()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("sku", l.getSku());
            Catalog.Item it = catalog.get(l.getSku());
            m.put("title", it == null ? l.getSku() : it.title());
            m.put("qty", l.getQty());
            m.put("unit_price_cents", l.getUnitPriceCents());
            lines.add(m);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("currency", c.getCurrency());
        m.put("lines", lines);
        m.put("total_cents", c.totalCents());
        return m;
    }

    /** Hands the (new) state to the client three ways: JSON field, header and cookie. */
    private int sendState(HttpExchange ex, int status, SessionState s, Map<String, Object> body) throws Exception {
        String token = codec.encode(s);
        body.put("state", token);
        ex.getResponseHeaders().set(HEADER, token);
        String flags = vulnerable ? "; Path=/" : "; Path=/; Max-Age=604800; HttpOnly; SameSite=Lax; Secure";
        ex.getResponseHeaders().add("Set-Cookie", COOKIE + "=" + token + flags);
        return send(ex, status, body);
    }

    private static String cookie(HttpExchange ex, String name) {
        List<String> headers = ex.getRequestHeaders().get("Cookie");
        if (headers == null) {
            return null;
        }
        for (String h : headers) {
            for (String part : h.split(";")) {
                int eq = part.indexOf('=');
                if (eq > 0 && part.substring(0, eq).trim().equals(name)) {
                    String v = part.substring(eq + 1).trim();
                    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                        v = v.substring(1, v.length() - 1);
                    }
                    return v.isEmpty() ? null : v;
                }
            }
        }
        return null;
    }

    private static byte[] body(HttpExchange ex) throws IOException, ApiError {
        try (InputStream in = ex.getRequestBody()) {
            byte[] b = in.readNBytes(MAX_BODY + 1);
            if (b.length > MAX_BODY) {
                throw new ApiError(413, "body too large");
            }
            return b;
        }
    }

    private int send(HttpExchange ex, int status, Map<String, Object> body) throws IOException {
        byte[] b = (Json.write(body) + "\n").getBytes(StandardCharsets.UTF_8);
        var h = ex.getResponseHeaders();
        h.set("Content-Type", "application/json; charset=utf-8");
        if (!vulnerable) {
            h.set("X-Content-Type-Options", "nosniff");
            h.set("X-Frame-Options", "DENY");
            h.set("Referrer-Policy", "no-referrer");
            h.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
            h.set("Cache-Control", "no-store");
        }
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(status, -1);
        } else {
            ex.sendResponseHeaders(status, b.length);
            ex.getResponseBody().write(b);
        }
        return status;
    }

    private int trySend(HttpExchange ex, int status, Map<String, Object> body) {
        try {
            return send(ex, status, body);
        } catch (IOException | RuntimeException e) {
            System.err.println("could not send the error response: " + e);
            return status;
        }
    }
}
