package shop;

import java.util.LinkedHashMap;
import java.util.Map;

/** The (static) product catalogue. */
public final class Catalog {
    /** A product. */
    public record Item(String sku, String title, long priceCents) {
    }

    private final Map<String, Item> items = new LinkedHashMap<>();

    public Catalog() {
        put(new Item("MUG-01", "Parapet mug", 1290));
        put(new Item("TEE-02", "Parapet t-shirt", 2400));
        put(new Item("STK-03", "Sticker pack", 450));
        put(new Item("CAP-04", "Baseball cap", 1990));
    }

    private void put(Item it) {
        items.put(it.sku(), it);
    }

    public Item get(String sku) {
        return items.get(sku);
    }

    public Iterable<Item> all() {
        return items.values();
    }
}
