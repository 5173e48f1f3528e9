#!/usr/bin/python3
"""Writes pickle, PyYAML and jsonpickle positive samples.

Objects are built from classes registered under fake modules (shop.models,
billing) so the pickles reference them exactly as a Django app's would. The
expected class list of every pickle is computed by Python itself: an
Unpickler subclass whose find_class records each (module, name) it is asked
for while loading the sample we just produced (our own trusted bytes).
"""
import base64
import datetime
import decimal
import io
import json
import os
import pickle
import sys
import types
import urllib.parse

import jsonpickle
import yaml

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "positive")
MANIFEST = os.path.join(OUT, "pickle.manifest.jsonl")

# --- fake application modules ------------------------------------------------
shop = types.ModuleType("shop")
models = types.ModuleType("shop.models")
shop.models = models
billing = types.ModuleType("billing")
sys.modules.update({"shop": shop, "shop.models": models, "billing": billing})


class Profile:
    def __init__(self, name, roles):
        self.name = name
        self.roles = roles
        self.created = datetime.datetime(2024, 5, 1, 12, 30, 0)
        self.balance = decimal.Decimal("12.50")


class Address:
    __slots__ = ("street", "city")

    def __init__(self, street, city):
        self.street = street
        self.city = city

    def __getstate__(self):
        return {"street": self.street, "city": self.city}

    def __setstate__(self, st):
        self.street, self.city = st["street"], st["city"]


class Invoice:
    def __init__(self, n, lines):
        self.n = n
        self.lines = lines

    def __reduce__(self):
        return (Invoice, (self.n, self.lines))


class Shell:
    """Pickles as a call to os.system; never unpickled here."""

    def __reduce__(self):
        return (os.system, ("id",))


for cls, mod in ((Profile, models), (Address, models), (Invoice, billing), (Shell, billing)):
    cls.__module__ = mod.__name__
    setattr(mod, cls.__name__, cls)


class Recorder(pickle.Unpickler):
    """Records every class lookup; refuses os.system-like callables."""

    def __init__(self, data):
        super().__init__(io.BytesIO(data))
        self.seen = []

    def find_class(self, module, name):
        full = module + "." + name
        if full not in self.seen:
            self.seen.append(full)
        if module in ("os", "posix", "nt", "subprocess"):
            return lambda *a, **k: None
        return super().find_class(module, name)


def classes_of(data):
    r = Recorder(data)
    r.load()
    return r.seen


entries = []


def write(name, value, fmt, enc, classes, how, strong=True, exact=True):
    path = os.path.join(OUT, name)
    mode = "wb" if isinstance(value, bytes) else "w"
    with open(path, mode) as f:
        f.write(value)
    entries.append(dict(file=name, format=fmt, encoding=enc, classes=classes,
                        exact=exact, strong=strong, how=how))


def b64(b):
    return base64.b64encode(b).decode()


def b64url_nopad(b):
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


def url_label(text):
    """The encoding name the sniffer documents for unpadded URL-safe text:
    base64url when it uses '-' or '_' or omits padding, otherwise (the text
    is then also valid standard base64) base64."""
    if "-" in text or "_" in text or len(text) % 4:
        return "base64url"
    return "base64"


profile = Profile("alice", ["admin", "staff"])
profile.address = Address("1 Main St", "Springfield")
obj = {"profile": profile, "invoice": Invoice(7, [("pen", 2), ("ink", 1)]), "tags": {"a", "b"},
       "blob": b"\x00\x01binary", "ratio": 0.25, "big": 2**80, "none": None, "t": True}

for proto in range(6):
    data = pickle.dumps(obj, protocol=proto)
    cls = classes_of(data)
    how = f"pickle.dumps(dict with shop.models.Profile, billing.Invoice, ..., protocol={proto})"
    write(f"pickle_p{proto}.bin", data, "python-pickle", "raw", cls, how)
    write(f"pickle_p{proto}.b64", b64(data), "python-pickle", "base64", cls, how + " | base64")
    write(f"pickle_p{proto}.b64url", b64url_nopad(data), "python-pickle", url_label(b64url_nopad(data)), cls,
          how + " | urlsafe_b64encode, padding stripped")

data = pickle.dumps(obj, protocol=4)
cls = classes_of(data)
write("pickle_p4.hex", data.hex(), "python-pickle", "hex", cls, "pickle protocol 4 | hex")
write("pickle_p4.pct", urllib.parse.quote(b64(data), safe=""), "python-pickle", "percent+base64",
      cls, "pickle protocol 4 | base64 | urllib.parse.quote (a cookie value)")

# Protocol 5 with out-of-band-capable buffers written in-band.
data = pickle.dumps({"buf": pickle.PickleBuffer(bytearray(b"x" * 40)), "ba": bytearray(b"yz"),
                     "p": Profile("bob", [])}, protocol=5)
write("pickle_p5_buffers.b64", b64(data), "python-pickle", "base64", classes_of(data),
      "pickle protocol 5 of PickleBuffer(bytearray) + bytearray + Profile | base64")

# A __reduce__ to os.system (never loaded with the real function).
for proto in (0, 2, 4):
    data = pickle.dumps(Shell(), protocol=proto)
    write(f"pickle_reduce_system_p{proto}.b64", b64(data), "python-pickle", "base64",
          classes_of(data), f"pickle.dumps(object whose __reduce__ is (os.system, ('id',)), protocol={proto}) | base64")

# Plain data, no classes: still a pickle (memo PUTs give it structure).
for proto in (0, 1):
    data = pickle.dumps({"user": "alice", "ids": [1, 2, 3]}, protocol=proto)
    write(f"pickle_plain_p{proto}.bin", data, "python-pickle", "raw", [],
          f"pickle.dumps(plain dict, protocol={proto})")

# The scanner's own canary shape (DESIGN.md): a GLOBAL of a missing top-level
# module, no REDUCE.
data = b"cparapet_canary_7f3a\nProbe\n."
write("pickle_canary_p0.b64", b64(data), "python-pickle", "base64",
      ["parapet_canary_7f3a.Probe"], "hand-built GLOBAL-only canary b'cparapet_canary_7f3a\\nProbe\\n.' | base64")

# Truncated: the first 70% of a protocol 4 stream. Weak.
data = pickle.dumps([Profile("p%d" % i, ["r"]) for i in range(20)], protocol=4)
cut = data[: len(data) * 7 // 10]
write("pickle_truncated_p4.b64", b64(cut), "python-pickle", "base64", ["shop.models.Profile"],
      "first 70% of pickle protocol 4 of 20 Profiles | base64", strong=False, exact=False)

# Django 3.2 signing with its (since removed) PickleSerializer, as the
# signed_cookies session backend used it: b64url(pickle):timestamp:HMAC, and
# the compress=True form ".b64url(zlib(pickle)):timestamp:HMAC".
from django.conf import settings  # noqa: E402

settings.configure(SECRET_KEY="sniff-positive-corpus-" + "k" * 40)
from django.core import signing  # noqa: E402
from django.contrib.sessions.serializers import PickleSerializer  # noqa: E402
import django  # noqa: E402

carol = Profile("carol", ["staff"])
data = pickle.dumps(carol, protocol=PickleSerializer.protocol)
cls = classes_of(data)
tok = signing.dumps(carol, salt="django.contrib.sessions.backends.signed_cookies", serializer=PickleSerializer)
write("django_signed_pickle.txt", tok, "python-pickle", url_label(tok.split(":")[0]), cls,
      "django.core.signing.dumps(Profile, serializer=PickleSerializer) (Django %s)" % django.get_version())
big = {"profile": carol, "history": ["page-%d" % (i % 7) for i in range(60)]}
tok = signing.dumps(big, salt="django.contrib.sessions.backends.signed_cookies", serializer=PickleSerializer,
                    compress=True)
assert tok.startswith(".")
write("django_signed_pickle_zlib.txt", tok, "python-pickle", "base64url+zlib" if url_label(tok[1:].split(":")[0]) == "base64url" else "base64+zlib",
      classes_of(pickle.dumps(big, protocol=PickleSerializer.protocol)),
      "django.core.signing.dumps(dict with Profile, serializer=PickleSerializer, compress=True)")

# itsdangerous with pickle as its serializer (Flask extensions did this).
import itsdangerous  # noqa: E402

tok = itsdangerous.URLSafeTimedSerializer("k", serializer=pickle).dumps(big)
if isinstance(tok, bytes):
    tok = tok.decode()
write("itsdangerous_pickle.txt", tok, "python-pickle", "base64url+zlib" if tok.startswith(".") else url_label(tok.split(".")[0]),
      classes_of(pickle.dumps(big, protocol=pickle.DEFAULT_PROTOCOL)),
      "itsdangerous.URLSafeTimedSerializer(serializer=pickle).dumps(dict with Profile) (itsdangerous %s)" % itsdangerous.__version__)

# base64 of gzip'd pickle (a compressed cache entry).
data = pickle.dumps(big, protocol=4)
write("pickle_gzip.b64", b64(__import__("gzip").compress(data, mtime=0)), "python-pickle", "base64+gzip",
      classes_of(data), "base64(gzip.compress(pickle protocol 4))")

# Embedded in a JSON document (the caller passed the whole body).
data = pickle.dumps(Profile("dave", []), protocol=4)
write("pickle_embedded_json.txt", json.dumps({"id": 12, "state": b64(data), "ok": True}), "python-pickle",
      "base64", classes_of(data), "json.dumps({'state': base64(pickle protocol 4)}) as a whole body")

# --- PyYAML -------------------------------------------------------------------
doc = yaml.dump({"profile": Profile("erin", ["x"]), "when": datetime.date(2024, 1, 2)})
write("yaml_python_object.yaml", doc, "yaml-tags", "raw",
      ["shop.models.Profile", "decimal.Decimal"],
      "yaml.dump(dict with shop.models.Profile) (PyYAML %s)" % yaml.__version__)
doc = yaml.dump(Shell())
write("yaml_python_apply.yaml", doc, "yaml-tags", "raw", ["posix.system"],
      "yaml.dump(object whose __reduce__ is os.system)")
doc = yaml.dump({"fn": os.path.join, "mod": None})
write("yaml_python_name.yaml", doc, "yaml-tags", "raw", ["posixpath.join"],
      "yaml.dump({'fn': os.path.join})")
write("yaml_python_apply.b64", b64(yaml.dump(Shell()).encode()), "yaml-tags", "base64", ["posix.system"],
      "yaml.dump(object whose __reduce__ is os.system) | base64")

# --- jsonpickle ---------------------------------------------------------------
doc = jsonpickle.encode({"profile": Profile("frank", ["a"]), "inv": Invoice(3, [])})
write("jsonpickle_profile.json", doc, "json-type-indicator", "raw",
      ["shop.models.Profile", "datetime.datetime", "decimal.Decimal", "billing.Invoice"],
      "jsonpickle.encode(dict with Profile and Invoice) (jsonpickle %s)" % jsonpickle.__version__)
doc = jsonpickle.encode(Shell())
write("jsonpickle_reduce.json", doc, "json-type-indicator", "raw", ["posix.system"],
      "jsonpickle.encode(object whose __reduce__ is os.system)", exact=False)
write("jsonpickle_reduce.b64url", b64url_nopad(doc.encode()), "json-type-indicator", url_label(b64url_nopad(doc.encode())), ["posix.system"],
      "jsonpickle.encode(os.system reducer) | urlsafe base64 without padding", exact=False)

with open(MANIFEST, "w") as f:
    for e in entries:
        f.write(json.dumps(e, sort_keys=True) + "\n")
print(len(entries), "pickle/yaml/jsonpickle samples")
