package shop;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Base64;

/**
 * VULNERABLE: the session is a base64 Java serialization stream (rO0AB...), and whatever the
 * client sends back goes straight into ObjectInputStream.readObject() — no signature, no
 * ObjectInputFilter. Any class on the classpath can be instantiated by the client.
 */
public final class JavaSerializationCodec implements StateCodec {
    @Override
    public String encode(SessionState state) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ObjectOutputStream oos = new ObjectOutputStream(bos)) {
            oos.writeObject(state);
        }
        return Base64.getEncoder().encodeToString(bos.toByteArray());
    }

    @Override
    public SessionState decode(String token) throws IOException, ClassNotFoundException {
        return decodeBytes(Base64.getDecoder().decode(token.trim()));
    }

    @Override
    public SessionState decodeBytes(byte[] body) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(body))) {
            return (SessionState) in.readObject();
        }
    }
}
