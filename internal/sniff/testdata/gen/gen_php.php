<?php
// Writes PHP serialize() positive samples for internal/sniff.
//   php gen_php.php
// Expected classes are the classes serialized, listed in the order
// serialize() writes them (outer object first, then properties in
// declaration order).
namespace App\Models;

error_reporting(E_ALL & ~E_DEPRECATED);

class User {
    public $name = "alice";
    protected $roles = ["admin", "staff"];
    private $address;
    public $meta;
    public $self;
    function __construct() {
        $this->address = new Address();
        $this->meta = new \stdClass();
        $this->meta->login = 1714566600;
        $this->meta->ratio = 0.25;
        $this->meta->ok = true;
        $this->meta->none = null;
        $this->self = $this; // back-reference (r:)
    }
}

class Address {
    public $street = "1 Main St";
    public $city = "Springfield";
}

class Legacy implements \Serializable {
    public $v = "legacy";
    public function serialize() { return "v=legacy;n=3"; }
    public function unserialize($data) { }
}

enum Status: string {
    case Active = 'active';
    case Banned = 'banned';
}

$out = __DIR__ . "/../positive/";
$manifest = "";

function put($file, $value, $enc, $classes, $how) {
    global $out, $manifest;
    file_put_contents($out . $file, $value);
    $manifest .= json_encode([
        "classes" => $classes, "encoding" => $enc, "exact" => true, "file" => $file,
        "format" => "php-serialize", "how" => $how . " (PHP " . PHP_VERSION . ")", "strong" => true,
    ], JSON_UNESCAPED_SLASHES) . "\n";
}

$u = serialize(new User());
$uc = ["App\\Models\\User", "App\\Models\\Address", "stdClass"];
put("php_user.txt", $u, "raw", $uc, "serialize(new App\\Models\\User) with protected/private props, stdClass, self-reference");
put("php_user.pct", urlencode($u), "percent", $uc, "urlencode(serialize(new App\\Models\\User)) (a cookie value)");
put("php_user.rawpct", rawurlencode($u), "percent", $uc, "rawurlencode(serialize(new App\\Models\\User))");
put("php_user.b64", base64_encode($u), "base64", $uc, "base64_encode(serialize(new App\\Models\\User))");

$a = serialize(["cart" => [["sku" => "A-1", "qty" => 2], ["sku" => "B 2", "qty" => 1]], "total" => 12.5, 7 => false]);
put("php_array.txt", $a, "raw", [], "serialize(nested array, no objects)");
put("php_array.pct", urlencode($a), "percent", [], "urlencode(serialize(nested array)) — spaces become '+'");

put("php_custom.txt", serialize([new Legacy(), Status::Banned]), "raw", ["App\\Models\\Legacy", "App\\Models\\Status"],
    "serialize([Serializable App\\Models\\Legacy (C:), enum case Status::Banned (E:)])");

put("php_stdclass.b64", base64_encode(serialize((object) ["a" => 1, "b" => [1, 2]])), "base64", ["stdClass"],
    "base64_encode(serialize((object)['a'=>1,'b'=>[1,2]]))");

put("php_empty_object.txt", serialize(new \stdClass()), "raw", ["stdClass"], "serialize(new stdClass)");

file_put_contents($out . "php.manifest.jsonl", $manifest);
echo "php samples written\n";
