#!/usr/bin/python3
"""Writes hand-written positive samples for formats with no generator on
this machine (Json.NET, fastjson, SnakeYAML, Perl YAML, Symfony YAML, PyYAML
verbatim tags) and a JWT whose payload is jsonpickle. Each sample follows
the library's documented output; the expected classes are the ones written.
"""
import base64
import hashlib
import hmac
import json
import os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "positive")
entries = []


def put(file, value, fmt, enc, classes, how, strong=True):
    with open(os.path.join(OUT, file), "w") as f:
        f.write(value)
    entries.append(dict(file=file, format=fmt, encoding=enc, classes=classes, exact=True,
                        strong=strong, how=how))


J, Y = "json-type-indicator", "yaml-tags"

# Json.NET, TypeNameHandling.Objects/All output of an ordinary model.
put("jsonnet_order.json", json.dumps({
    "$type": "Shop.Models.Order, Shop",
    "Id": 5,
    "Lines": {"$type": "System.Collections.Generic.List`1[[Shop.Models.Line, Shop]], mscorlib",
              "$values": [{"$type": "Shop.Models.Line, Shop", "Sku": "A-1", "Qty": 2}]},
}, indent=2), J, "raw",
    ["Shop.Models.Order", "System.Collections.Generic.List`1[[Shop.Models.Line, Shop]]", "Shop.Models.Line"],
    "hand-written Json.NET TypeNameHandling.All output (Newtonsoft docs shape)")
# The well-known ObjectDataProvider shape (no gadget runs: it is only text).
odp = json.dumps({
    "$type": "System.Windows.Data.ObjectDataProvider, PresentationFramework, Version=4.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35",
    "MethodName": "Start",
    "MethodParameters": {"$type": "System.Collections.ArrayList, mscorlib", "$values": ["cmd", "/c echo"]},
    "ObjectInstance": {"$type": "System.Diagnostics.Process, System"},
})
put("jsonnet_odp.json", odp, J, "raw",
    ["System.Windows.Data.ObjectDataProvider", "System.Collections.ArrayList", "System.Diagnostics.Process"],
    "hand-written Json.NET $type document of the ObjectDataProvider shape")
put("jsonnet_odp.b64", base64.b64encode(odp.encode()).decode(), J, "base64",
    ["System.Windows.Data.ObjectDataProvider", "System.Collections.ArrayList", "System.Diagnostics.Process"],
    "base64 of jsonnet_odp.json (a ViewState-like field)")

# fastjson autoType, plain and with a \\u escape in the class name.
put("fastjson_type.json", '{"@type":"com.sun.rowset.JdbcRowSetImpl","dataSourceName":"ldap://127.0.0.1:1389/x","autoCommit":true}',
    J, "raw", ["com.sun.rowset.JdbcRowSetImpl"], "hand-written fastjson @type document")
put("fastjson_escaped.json", '{"a": 1, "b": {"@type":"com.example.shop.Cust\\u006fmer","name":"x"}}',
    J, "raw", ["com.example.shop.Customer"], "hand-written fastjson @type with a \\u006f escape inside the class name")

# SnakeYAML global tags.
put("snakeyaml_url.yaml", '!!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL ["http://127.0.0.1:8000/"]]]]\n',
    Y, "raw", ["javax.script.ScriptEngineManager", "java.net.URLClassLoader", "java.net.URL"],
    "hand-written SnakeYAML document with !!java class tags (flow style)")
put("snakeyaml_bean.yaml", "order: !!com.example.shop.Order\n  id: 5\n  customer: !!com.example.shop.Customer {name: x}\n",
    Y, "raw", ["com.example.shop.Order", "com.example.shop.Customer"], "hand-written SnakeYAML bean document")

# Perl YAML and Symfony YAML.
put("perl_hash.yaml", "--- !!perl/hash:Shop::Cart\nitems:\n  - !!perl/hash:Shop::Item\n    sku: A-1\n",
    Y, "raw", ["Shop::Cart", "Shop::Item"], "hand-written YAML.pm document with !!perl/hash: tags")
put("symfony_php.yaml", "parameters:\n  obj: !php/object 'O:8:\"stdClass\":1:{s:3:\"foo\";s:3:\"bar\";}'\n  v: !php/const App\\Kernel::VERSION\n",
    Y, "raw", ["stdClass", "App\\Kernel"], "hand-written Symfony YAML with !php/object and !php/const")

# PyYAML verbatim tag form.
put("pyyaml_verbatim.yaml", "!<tag:yaml.org,2002:python/object/apply:subprocess.check_output> [[id]]\n",
    Y, "raw", ["subprocess.check_output"], "hand-written PyYAML document using the verbatim tag form")

# A JWT whose payload is jsonpickle: found in the payload segment.
def b64u(b):
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


header = b64u(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
payload_json = json.dumps({"sub": "42", "prefs": {"py/object": "shop.models.Prefs", "theme": "dark"}},
                          separators=(",", ":")).encode()
payload = b64u(payload_json)
sig = b64u(hmac.new(b"k", (header + "." + payload).encode(), hashlib.sha256).digest())
enc = "base64url" if ("-" in payload or "_" in payload or len(payload) % 4) else "base64"
put("jwt_jsonpickle.txt", header + "." + payload + "." + sig, J, enc, ["shop.models.Prefs"],
    "HS256 JWT whose payload carries a jsonpickle py/object")

with open(os.path.join(OUT, "text.manifest.jsonl"), "w") as f:
    for e in entries:
        f.write(json.dumps(e, sort_keys=True) + "\n")
print(len(entries), "hand-written samples")
