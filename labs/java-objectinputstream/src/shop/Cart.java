package shop;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** A shopping cart: lines and a currency. Travels inside {@link SessionState}. */
public class Cart implements Serializable {
    private static final long serialVersionUID = 1L;

    private final List<CartLine> lines = new ArrayList<>();
    private String currency = "EUR";

    public List<CartLine> getLines() {
        return lines;
    }

    public String getCurrency() {
        return currency;
    }

    public void setCurrency(String currency) {
        this.currency = currency;
    }

    /** Adds qty of sku, merging with an existing line. */
    public void add(String sku, int qty, long unitPriceCents) {
        for (int k = 0; k < lines.size(); k++) {
            CartLine l = lines.get(k);
            if (l.getSku().equals(sku)) {
                lines.set(k, l.withQty(Math.min(99, l.getQty() + qty)));
                return;
            }
        }
        lines.add(new CartLine(sku, qty, unitPriceCents));
    }

    public long totalCents() {
        long t = 0;
        for (CartLine l : lines) {
            t += l.getUnitPriceCents() * l.getQty();
        }
        return t;
    }
}
