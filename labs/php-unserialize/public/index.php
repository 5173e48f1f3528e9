<?php
declare(strict_types=1);

/*
 * Front controller of the Parapet php-unserialize lab: a small cart API.
 *   php -S 127.0.0.1:$LAB_PORT -t public/ public/index.php   (see start.sh)
 * LAB_VARIANT=vulnerable keeps the cart as serialize() output in the browser and restores it
 * with unserialize() (PHP object injection, by design: bind 127.0.0.1 only);
 * LAB_VARIANT=fixed keeps it as signed, validated JSON.
 */

require __DIR__ . '/../src/classes.php';
require __DIR__ . '/../src/cart_store.php';

$variant = getenv('LAB_VARIANT') === 'fixed' ? 'fixed' : 'vulnerable';

function json_response(int $status, array $body): void
{
    http_response_code($status);
    header('Content-Type: application/json; charset=utf-8');
    echo json_encode($body, JSON_UNESCAPED_SLASHES), "\n";
}

function request_body(): array
{
    $type = $_SERVER['CONTENT_TYPE'] ?? '';
    if (str_starts_with($type, 'application/json')) {
        $data = json_decode(file_get_contents('php://input') ?: '', true);
        return is_array($data) ? $data : [];
    }
    return $_POST;
}

function cart_view(Cart $cart, CartStore $store): array
{
    $state = $store->token($cart);
    return [
        'items' => array_map(fn (Item $i) => $i->toArray(), $cart->items()),
        'count' => $cart->count(),
        'total_cents' => $cart->total(),
        'currency' => $cart->currency,
        'state' => $state,
        'share_url' => '/api/cart?state=' . rawurlencode($state),
    ];
}

if ($variant === 'fixed') {
    header('X-Content-Type-Options: nosniff');
    header('Cache-Control: no-store');
    set_exception_handler(function (Throwable $e): void {
        error_log(sprintf('%s %s: %s: %s', $_SERVER['REQUEST_METHOD'] ?? '-', $_SERVER['REQUEST_URI'] ?? '-', $e::class, $e->getMessage()));
        if ($e instanceof BadCartState) {
            json_response(400, ['error' => 'bad request']);
        } else {
            json_response(500, ['error' => 'server error']);
        }
    });
    $store = new SignedJsonCartStore((string) getenv('LAB_CART_SECRET'));
} else {
    $store = new SerializedCartStore();
}

$method = $_SERVER['REQUEST_METHOD'] ?? 'GET';
$path = rawurldecode(parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH) ?: '/');
if ($path !== '/') {
    $path = rtrim($path, '/');
}

switch (true) {
    case $path === '/' && $method === 'GET':
        json_response(200, [
            'name' => 'Parapet cart API (PHP)',
            'links' => [
                'products' => '/api/products',
                'cart' => '/api/cart',
                'add_item' => 'POST /api/cart/items {"sku": "MUG-001", "qty": 1}',
                'remove_item' => 'DELETE /api/cart/items/MUG-001',
                'empty_cart' => 'DELETE /api/cart',
                'health' => '/health',
            ],
        ]);
        break;

    case $path === '/health' && $method === 'GET':
        json_response(200, ['status' => 'ok']);
        break;

    case $path === '/api/products' && $method === 'GET':
        json_response(200, ['products' => Catalog::all()]);
        break;

    case $path === '/api/cart' && $method === 'GET':
        $cart = $store->load();
        $store->save($cart);
        json_response(200, cart_view($cart, $store));
        break;

    case $path === '/api/cart' && $method === 'DELETE':
        $store->clear();
        http_response_code(204);
        break;

    case $path === '/api/cart/items' && $method === 'POST':
        $cart = $store->load();
        $body = request_body();
        $sku = $body['sku'] ?? null;
        $qty = $body['qty'] ?? 1;
        if ($variant === 'fixed' && (!is_int($qty) && !(is_string($qty) && ctype_digit($qty)))) {
            throw new BadCartState('bad qty');
        }
        $qty = (int) $qty;
        if (!is_string($sku) || !Catalog::has($sku)) {
            json_response(404, ['error' => 'unknown sku']);
            break;
        }
        if ($qty < 1 || $qty > 99) {
            json_response(422, ['error' => 'qty must be between 1 and 99']);
            break;
        }
        $cart->add(Catalog::item($sku, $qty));
        $store->save($cart);
        json_response(201, cart_view($cart, $store));
        break;

    case preg_match('#\A/api/cart/items/([A-Za-z0-9-]{1,32})\z#', $path, $m) === 1 && $method === 'DELETE':
        $cart = $store->load();
        if (!$cart->remove($m[1])) {
            json_response(404, ['error' => 'not in cart']);
            break;
        }
        $store->save($cart);
        json_response(200, cart_view($cart, $store));
        break;

    case in_array($path, ['/', '/health', '/api/products', '/api/cart', '/api/cart/items'], true):
        header('Allow: ' . ($path === '/api/cart' ? 'GET, DELETE' : ($path === '/api/cart/items' ? 'POST' : 'GET')));
        json_response(405, ['error' => 'method not allowed']);
        break;

    default:
        json_response(404, ['error' => 'not found']);
}
