package shop;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The OpenAPI 3.0.3 document served at /openapi.json. */
final class OpenApi {
    private OpenApi() {
    }

    static Map<String, Object> document(String host) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("openapi", "3.0.3");
        doc.put("info", map("title", "cart-service", "version", "1.4.2"));
        String h = host == null || host.isBlank() ? "127.0.0.1" : host;
        doc.put("servers", List.of(map("url", "http://" + h)));

        Map<String, Object> cookie = param(ShopServer.COOKIE, "cookie",
                "client-held session state, as handed out by GET /api/session");
        Map<String, Object> header = param(ShopServer.HEADER, "header",
                "client-held session state (same value as the cookie)");
        Map<String, Object> ok = map("200", map("description", "session or cart, with the new state"));

        Map<String, Object> paths = new LinkedHashMap<>();
        paths.put("/api/products", map("get", op("listProducts", "catalogue", List.of(), null, ok)));
        paths.put("/api/session", map("get", op("getSession",
                "current session; a new guest session (and cookie) when there is none", List.of(cookie), null, ok)));
        paths.put("/api/session/restore", map("post", op("restoreSession",
                "restore a session from a state token sent as the body", List.of(),
                map("required", true, "content", map(
                        "text/plain", map("schema", map("type", "string"), "example", "<state from GET /api/session>"),
                        ShopServer.JAVA_SERIALIZED, map("schema", map("type", "string", "format", "binary")))),
                ok)));
        paths.put("/api/cart", map("get", op("getCart", "cart of the session", List.of(header, cookie), null, ok)));
        Map<String, Object> itemSchema = map("type", "object", "required", List.of("sku"), "properties", map(
                "sku", map("type", "string", "example", "MUG-01"),
                "qty", map("type", "integer", "minimum", 1, "maximum", 99, "example", 1),
                "state", map("type", "string", "description", "session state; else the header, else the cookie")));
        paths.put("/api/cart/items", map("post", op("addCartItem", "add an item to the cart", List.of(header, cookie),
                map("required", true, "content", map("application/json", map("schema", itemSchema,
                        "example", map("sku", "MUG-01", "qty", 1)))),
                map("201", map("description", "the cart, with the new state")))));
        doc.put("paths", paths);
        return doc;
    }

    private static Map<String, Object> op(String id, String summary, List<?> params, Map<String, Object> body,
            Map<String, Object> responses) {
        Map<String, Object> m = map("operationId", id, "summary", summary);
        if (!params.isEmpty()) {
            m.put("parameters", params);
        }
        if (body != null) {
            m.put("requestBody", body);
        }
        m.put("responses", responses);
        return m;
    }

    private static Map<String, Object> param(String name, String in, String description) {
        return map("name", name, "in", in, "required", false, "description", description,
                "schema", map("type", "string"));
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int k = 0; k + 1 < kv.length; k += 2) {
            m.put((String) kv[k], kv[k + 1]);
        }
        return m;
    }
}
