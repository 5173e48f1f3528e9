<?php
declare(strict_types=1);

/**
 * Shop domain classes. In the vulnerable variant a Cart (with its Items) travels to the
 * browser as serialize() output and comes back through unserialize().
 */

final class Catalog
{
    /** sku => [name, price in cents, stock] */
    private const PRODUCTS = [
        'MUG-001' => ['Enamel camp mug', 1450, 31],
        'TEE-014' => ['Organic cotton tee', 2400, 12],
        'BAG-007' => ['Waxed canvas tote', 5900, 4],
        'CAP-002' => ['Six-panel cap', 1900, 0],
    ];

    public static function all(): array
    {
        $out = [];
        foreach (self::PRODUCTS as $sku => [$name, $price, $stock]) {
            $out[] = ['sku' => $sku, 'name' => $name, 'price_cents' => $price, 'in_stock' => $stock > 0];
        }
        return $out;
    }

    public static function has(string $sku): bool
    {
        return isset(self::PRODUCTS[$sku]);
    }

    public static function item(string $sku, int $qty): Item
    {
        [$name, $price] = self::PRODUCTS[$sku];
        return new Item($sku, $name, $price, $qty);
    }
}

class Item
{
    public function __construct(
        public string $sku,
        public string $name,
        public int $priceCents,
        public int $qty = 1,
    ) {
    }

    public function subtotal(): int
    {
        return $this->priceCents * $this->qty;
    }

    public function toArray(): array
    {
        return [
            'sku' => $this->sku,
            'name' => $this->name,
            'qty' => $this->qty,
            'price_cents' => $this->priceCents,
            'subtotal_cents' => $this->subtotal(),
        ];
    }
}

class Cart
{
    /** @var array<string, Item> keyed by sku */
    private array $items = [];
    private int $totalCents = 0;
    public string $currency = 'EUR';
    public int $updatedAt = 0;

    public function add(Item $item): void
    {
        if (isset($this->items[$item->sku])) {
            $this->items[$item->sku]->qty += $item->qty;
        } else {
            $this->items[$item->sku] = $item;
        }
        $this->touch();
    }

    public function remove(string $sku): bool
    {
        if (!isset($this->items[$sku])) {
            return false;
        }
        unset($this->items[$sku]);
        $this->touch();
        return true;
    }

    /** @return Item[] */
    public function items(): array
    {
        return array_values($this->items);
    }

    public function total(): int
    {
        return $this->totalCents;
    }

    public function count(): int
    {
        return array_sum(array_map(fn (Item $i) => $i->qty, $this->items));
    }

    /** Restored carts recompute their total, so a stale total never reaches checkout. */
    public function __wakeup(): void
    {
        $this->recalculate();
    }

    private function touch(): void
    {
        $this->updatedAt = time();
        $this->recalculate();
    }

    private function recalculate(): void
    {
        $this->totalCents = 0;
        foreach ($this->items as $item) {
            $this->totalCents += $item->subtotal();
        }
    }
}
