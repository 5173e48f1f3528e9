package shop;

import java.io.Serializable;

/**
 * The client-held session: who the shopper is and what is in the cart. The vulnerable
 * variant hands this object to the client as a Java serialization stream.
 */
public class SessionState implements Serializable {
    private static final long serialVersionUID = 7243181932774119302L;

    private String sessionId;
    private String username;
    private String role;
    private long createdAt;
    private Cart cart = new Cart();

    public SessionState(String sessionId, String username, String role, long createdAt) {
        this.sessionId = sessionId;
        this.username = username;
        this.role = role;
        this.createdAt = createdAt;
    }

    public String getSessionId() {
        return sessionId;
    }

    public String getUsername() {
        return username;
    }

    public String getRole() {
        return role;
    }

    public long getCreatedAt() {
        return createdAt;
    }

    public Cart getCart() {
        return cart;
    }

    void setCart(Cart cart) {
        this.cart = cart;
    }
}
