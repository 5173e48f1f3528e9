package shop;

/** Turns a {@link SessionState} into the token the client holds, and back. */
public interface StateCodec {
    /** The token handed out in the cookie, the X-Session-State header and the JSON "state" field. */
    String encode(SessionState state) throws Exception;

    /** Restores a session from a token (cookie, header, JSON field or text body). */
    SessionState decode(String token) throws Exception;

    /** Restores a session from a raw request body (application/x-java-serialized-object). */
    SessionState decodeBytes(byte[] body) throws Exception;

    /** Rejected client state: always answered 400 without details. */
    final class BadStateException extends Exception {
        private static final long serialVersionUID = 1L;

        public BadStateException(String reason) {
            super(reason);
        }
    }
}
