<?php
declare(strict_types=1);

/**
 * Where the cart lives between requests: in the browser.
 *
 * vulnerable (SerializedCartStore): cookie `cart` = serialize($cart) (setcookie URL-encodes it),
 *   the `state` token = base64_encode(serialize($cart)); both come back through unserialize()
 *   with every class allowed — PHP object injection.
 * fixed (SignedJsonCartStore): cookie `cart` and `state` = base64url(JSON) "." base64url(HMAC-SHA256);
 *   the signature is checked with hash_equals before json_decode, the document is validated
 *   (known SKUs, 1..99 units, at most 50 lines) and prices always come from the Catalog.
 */

const CART_COOKIE = 'cart';
const CART_TTL = 30 * 24 * 3600;

final class BadCartState extends RuntimeException
{
}

interface CartStore
{
    /** The cart carried by this request (query `state` first, then cookie `cart`), or a new one. */
    public function load(): Cart;

    /** The shareable token for ?state= (also returned as the `state` JSON field). */
    public function token(Cart $cart): string;

    /** Sends the cart cookie. */
    public function save(Cart $cart): void;

    public function clear(): void;
}

final class SerializedCartStore implements CartStore
{
    public function load(): Cart
    {
        if (isset($_GET['state']) && is_string($_GET['state']) && $_GET['state'] !== '') {
            $cart = CartShare::restore($_GET['state']);
            $cart->items(); // fail early on a broken link rather than at checkout
            return $cart;
        }
        if (!isset($_COOKIE[CART_COOKIE]) || !is_string($_COOKIE[CART_COOKIE])) {
            return new Cart();
        }
        $cart = unserialize($_COOKIE[CART_COOKIE]);
        if ($cart === false) {
            // corrupted cookie: start over with an empty cart
            return new Cart();
        }
        return $cart;
    }

    public function token(Cart $cart): string
    {
        return CartShare::link($cart);
    }

    public function save(Cart $cart): void
    {
        setcookie(CART_COOKIE, serialize($cart), ['expires' => time() + CART_TTL, 'path' => '/']);
    }

    public function clear(): void
    {
        setcookie(CART_COOKIE, '', ['expires' => 1, 'path' => '/']);
    }
}

/** "Share your cart" links (vulnerable variant): the cart rides in the URL. */
final class CartShare
{
    public static function link(Cart $cart): string
    {
        return base64_encode(serialize($cart));
    }

    /** @return Cart */
    public static function restore(string $state)
    {
        $cart = unserialize(base64_decode($state));
        return $cart === false ? new Cart() : $cart;
    }
}

final class SignedJsonCartStore implements CartStore
{
    private const MAX_LINES = 50;

    public function __construct(private string $key)
    {
        if (strlen($key) < 32) {
            throw new LogicException('cart signing key too short');
        }
    }

    public function load(): Cart
    {
        if (isset($_GET['state'])) {
            return $this->decode($_GET['state']);
        }
        if (isset($_COOKIE[CART_COOKIE])) {
            return $this->decode($_COOKIE[CART_COOKIE]);
        }
        return new Cart();
    }

    public function token(Cart $cart): string
    {
        $lines = [];
        foreach ($cart->items() as $item) {
            $lines[] = ['sku' => $item->sku, 'qty' => $item->qty];
        }
        $payload = self::b64(json_encode(['v' => 1, 'currency' => $cart->currency, 'items' => $lines], JSON_THROW_ON_ERROR));
        return $payload . '.' . self::b64(hash_hmac('sha256', $payload, $this->key, true));
    }

    public function save(Cart $cart): void
    {
        setcookie(CART_COOKIE, $this->token($cart), [
            'expires' => time() + CART_TTL, 'path' => '/', 'httponly' => true, 'secure' => true, 'samesite' => 'Lax',
        ]);
    }

    public function clear(): void
    {
        setcookie(CART_COOKIE, '', ['expires' => 1, 'path' => '/', 'httponly' => true, 'secure' => true, 'samesite' => 'Lax']);
    }

    private function decode(mixed $token): Cart
    {
        if (!is_string($token) || strlen($token) > 4096 || !preg_match('/\A([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})\z/', $token, $m)) {
            throw new BadCartState('malformed cart token');
        }
        $expected = self::b64(hash_hmac('sha256', $m[1], $this->key, true));
        if (!hash_equals($expected, $m[2])) {
            throw new BadCartState('bad cart signature');
        }
        try {
            $doc = json_decode(self::unb64($m[1]), true, 4, JSON_THROW_ON_ERROR);
        } catch (JsonException) {
            throw new BadCartState('cart is not JSON');
        }
        if (!is_array($doc) || array_keys($doc) !== ['v', 'currency', 'items'] || $doc['v'] !== 1
            || !in_array($doc['currency'], ['EUR'], true) || !is_array($doc['items']) || !array_is_list($doc['items'])
            || count($doc['items']) > self::MAX_LINES) {
            throw new BadCartState('cart does not match the schema');
        }
        $cart = new Cart();
        foreach ($doc['items'] as $line) {
            if (!is_array($line) || array_keys($line) !== ['sku', 'qty'] || !is_string($line['sku'])
                || !Catalog::has($line['sku']) || !is_int($line['qty']) || $line['qty'] < 1 || $line['qty'] > 99) {
                throw new BadCartState('bad cart line');
            }
            $cart->add(Catalog::item($line['sku'], $line['qty']));
        }
        return $cart;
    }

    private static function b64(string $raw): string
    {
        return rtrim(strtr(base64_encode($raw), '+/', '-_'), '=');
    }

    private static function unb64(string $s): string
    {
        $raw = base64_decode(strtr($s, '-_', '+/'), true);
        if ($raw === false) {
            throw new BadCartState('bad base64');
        }
        return $raw;
    }
}
