package shop;

import java.io.Serializable;

/** One line of a cart: a catalogue SKU, a quantity and the unit price when it was added. */
public class CartLine implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String sku;
    private final int qty;
    private final long unitPriceCents;

    public CartLine(String sku, int qty, long unitPriceCents) {
        this.sku = sku;
        this.qty = qty;
        this.unitPriceCents = unitPriceCents;
    }

    public String getSku() {
        return sku;
    }

    public int getQty() {
        return qty;
    }

    public long getUnitPriceCents() {
        return unitPriceCents;
    }

    public CartLine withQty(int newQty) {
        return new CartLine(sku, newQty, unitPriceCents);
    }
}
