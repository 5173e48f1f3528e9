package shop;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * FIXED: the session travels as JSON data (never objects) signed with HMAC-SHA256:
 * {@code base64url(json) "." base64url(hmac)}. The signature is checked (constant time) before
 * the JSON is parsed, and the parsed document must match a strict schema; prices are looked
 * up in the catalogue, never taken from the client. Every failure is a {@link BadStateException}.
 */
public final class SignedJsonCodec implements StateCodec {
    private static final long MAX_AGE_SECONDS = 7L * 24 * 3600;
    private static final int MAX_TOKEN = 8192;
    private static final int MAX_LINES = 50;
    private static final String CONTEXT = "session-state.v1.";
    private static final Pattern B64URL = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Pattern SESSION_ID = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9_.-]{1,32}");
    private static final Set<String> DOC_KEYS = Set.of("v", "sid", "user", "role", "iat", "cur", "cart");
    private static final Set<String> LINE_KEYS = Set.of("sku", "qty");
    private static final Set<String> ROLES = Set.of("guest", "customer");

    private final SecretKeySpec key;
    private final Catalog catalog;

    public SignedJsonCodec(byte[] secret, Catalog catalog) {
        if (secret.length < 16) {
            throw new IllegalArgumentException("LAB_SECRET_KEY must be at least 16 bytes");
        }
        this.key = new SecretKeySpec(secret, "HmacSHA256");
        this.catalog = catalog;
    }

    @Override
    public String encode(SessionState s) throws Exception {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("v", 1);
        doc.put("sid", s.getSessionId());
        doc.put("user", s.getUsername());
        doc.put("role", s.getRole());
        doc.put("iat", s.getCreatedAt());
        doc.put("cur", s.getCart().getCurrency());
        List<Object> lines = new ArrayList<>();
        for (CartLine l : s.getCart().getLines()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("sku", l.getSku());
            m.put("qty", l.getQty());
            lines.add(m);
        }
        doc.put("cart", lines);
        String payload = b64(Json.write(doc).getBytes(StandardCharsets.UTF_8));
        return payload + "." + b64(mac(payload));
    }

    @Override
    public SessionState decodeBytes(byte[] body) throws BadStateException {
        return decode(new String(body, StandardCharsets.UTF_8));
    }

    @Override
    public SessionState decode(String token) throws BadStateException {
        token = token.trim();
        if (token.isEmpty() || token.length() > MAX_TOKEN) {
            throw new BadStateException("token length");
        }
        int dot = token.indexOf('.');
        if (dot <= 0 || dot != token.lastIndexOf('.')) {
            throw new BadStateException("token shape");
        }
        String payload = token.substring(0, dot);
        String sig = token.substring(dot + 1);
        if (!B64URL.matcher(payload).matches() || !B64URL.matcher(sig).matches()) {
            throw new BadStateException("token alphabet");
        }
        byte[] given;
        try {
            given = Base64.getUrlDecoder().decode(sig);
        } catch (IllegalArgumentException e) {
            throw new BadStateException("signature encoding");
        }
        if (!MessageDigest.isEqual(mac(payload), given)) {
            throw new BadStateException("signature mismatch");
        }
        Object doc;
        try {
            doc = Json.parse(new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8));
        } catch (Json.ParseException | IllegalArgumentException e) {
            throw new BadStateException("payload");
        }
        return validate(doc);
    }

    /** The schema: exact keys, types, ranges; unknown SKUs and stale tokens are rejected. */
    private SessionState validate(Object o) throws BadStateException {
        if (!(o instanceof Map<?, ?> doc) || !doc.keySet().equals(DOC_KEYS)) {
            throw new BadStateException("schema: keys");
        }
        if (!Long.valueOf(1).equals(doc.get("v"))) {
            throw new BadStateException("schema: version");
        }
        String sid = str(doc.get("sid"));
        String user = str(doc.get("user"));
        String role = str(doc.get("role"));
        if (!SESSION_ID.matcher(sid).matches() || !USERNAME.matcher(user).matches() || !ROLES.contains(role)) {
            throw new BadStateException("schema: identity");
        }
        if (!(doc.get("iat") instanceof Long iat)) {
            throw new BadStateException("schema: iat");
        }
        long now = System.currentTimeMillis() / 1000;
        if (iat > now + 60 || now - iat > MAX_AGE_SECONDS) {
            throw new BadStateException("expired");
        }
        if (!"EUR".equals(doc.get("cur"))) {
            throw new BadStateException("schema: currency");
        }
        if (!(doc.get("cart") instanceof List<?> lines) || lines.size() > MAX_LINES) {
            throw new BadStateException("schema: cart");
        }
        SessionState s = new SessionState(sid, user, role, iat);
        for (Object lo : lines) {
            if (!(lo instanceof Map<?, ?> line) || !line.keySet().equals(LINE_KEYS)) {
                throw new BadStateException("schema: line keys");
            }
            Catalog.Item item = catalog.get(str(line.get("sku")));
            if (item == null || !(line.get("qty") instanceof Long qty) || qty < 1 || qty > 99) {
                throw new BadStateException("schema: line");
            }
            s.getCart().add(item.sku(), qty.intValue(), item.priceCents());
        }
        return s;
    }

    private static String str(Object o) throws BadStateException {
        if (o instanceof String s) {
            return s;
        }
        throw new BadStateException("schema: type");
    }

    private byte[] mac(String payload) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(key);
            return m.doFinal((CONTEXT + payload).getBytes(StandardCharsets.US_ASCII));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
