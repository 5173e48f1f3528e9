#!/usr/bin/python3
"""Writes the benign corpus under testdata/negative/ (one value per line).

Every value is produced by the real tool for its kind where one exists here
(uuid, secrets, hashlib, hmac, gzip/zlib, Django 3.2's signing and session
machinery, Flask/itsdangerous, openssl), from a fixed seed where Python
allows it. Text comes from files already on the machine (licence texts,
Python docstrings). None of it is tuned to the sniffer: a value that
matches is a bug to fix in the sniffer, not a line to drop here.

Needs Debian's python3-django and python3-flask. Run from this directory.
"""
import base64
import csv
import datetime
import gzip
import hashlib
import hmac
import io
import json
import os
import random
import secrets
import string
import subprocess
import urllib.parse
import uuid
import zlib

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "negative")
rng = random.Random(20240501)


def rbytes(n):
    return bytes(rng.getrandbits(8) for _ in range(n))


def write(name, values):
    values = [v for v in values if v and "\n" not in v]
    with open(os.path.join(OUT, name), "w") as f:
        f.write("\n".join(values) + "\n")
    print(f"{name}: {len(values)}")


def b64u(b):
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


# --- identifiers and tokens ----------------------------------------------
ids = []
for _ in range(25):
    ids.append(str(uuid.UUID(int=rng.getrandbits(128), version=4)))
ids += [str(uuid.uuid1()) for _ in range(5)]
ids += [str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper() for _ in range(5)]
ids += [uuid.UUID(int=rng.getrandbits(128), version=4).hex for _ in range(10)]
ids += ["{" + str(uuid.UUID(int=rng.getrandbits(128), version=4)) + "}" for _ in range(3)]
write("ids.txt", ids)

tokens = []
for n in list(range(8, 100, 3)) + [128, 192, 256]:
    b = rbytes(n)
    tokens.append(base64.b64encode(b).decode())           # padded standard
    tokens.append(b64u(b))                                   # URL-safe unpadded
    tokens.append(b.hex())                                   # hex
for n in (16, 24, 32, 48, 64):
    tokens.append(secrets.token_urlsafe(n))
    tokens.append(secrets.token_hex(n))
alnum = string.ascii_letters + string.digits
tokens += ["".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(32)) for _ in range(10)]  # Django session keys
tokens += ["".join(rng.choice("0123456789abcdefghijklmnopqrstuv") for _ in range(26)) for _ in range(5)]  # PHPSESSID
tokens += ["".join(rng.choice("0123456789ABCDEF") for _ in range(32)) for _ in range(5)]  # JSESSIONID
tokens += ["".join(rng.choice(alnum) for _ in range(64)) for _ in range(5)]  # csrftoken
tokens += ["ghp_" + "".join(rng.choice(alnum) for _ in range(36)) for _ in range(3)]
tokens += ["sk_live_" + "".join(rng.choice(alnum) for _ in range(24)) for _ in range(3)]
tokens += ["AKIA" + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(16)) for _ in range(3)]
write("tokens.txt", tokens)

# --- JWTs -----------------------------------------------------------------
jwts = []
for i in range(20):
    alg = ["HS256", "RS256", "ES256", "HS512"][i % 4]
    header = {"alg": alg, "typ": "JWT"}
    if i % 3 == 0:
        header["kid"] = secrets.token_hex(8)
    now = 1714566600 + i * 3600
    payload = {"sub": str(rng.randint(1, 10**6)), "iat": now, "exp": now + 3600,
               "iss": "https://auth.example.com/", "aud": "api", "scope": "read write",
               "email": f"user{i}@example.com", "roles": ["user"] + (["admin"] if i % 5 == 0 else [])}
    if i % 4 == 1:
        payload["@type"] = "User"  # JSON-LD-ish claim in a payload
    h = b64u(json.dumps(header, separators=(",", ":")).encode())
    p = b64u(json.dumps(payload, separators=(",", ":")).encode())
    if alg.startswith("HS"):
        sig = b64u(hmac.new(b"k%d" % i, (h + "." + p).encode(),
                            hashlib.sha256 if alg == "HS256" else hashlib.sha512).digest())
    else:
        sig = b64u(rbytes(256 if alg == "RS256" else 64))
    jwts.append(h + "." + p + "." + sig)
    if i % 5 == 0:
        jwts.append("Bearer " + jwts[-1])
write("jwts.txt", jwts)

# --- hashes and password hashes ---------------------------------------------
hashes = []
for i in range(12):
    data = f"file-{i}-{rng.random()}".encode()
    for algo in ("md5", "sha1", "sha256", "sha512"):
        hashes.append(hashlib.new(algo, data).hexdigest())
    hashes.append(base64.b64encode(hashlib.sha256(data).digest()).decode())
    hashes.append('W/"' + hashlib.md5(data).hexdigest() + '"')
    hashes.append("sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode())
for i in range(5):
    hashes.append(subprocess.run(["openssl", "passwd", "-6", "-salt", secrets.token_hex(4), f"pw{i}"],
                                 capture_output=True, text=True, check=True).stdout.strip())
    hashes.append(subprocess.run(["openssl", "passwd", "-apr1", f"pw{i}"], capture_output=True, text=True,
                                 check=True).stdout.strip())
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.conf import settings  # noqa: E402

settings.configure(SECRET_KEY="negative-corpus-" + "x" * 40, PASSWORD_HASHERS=[
    "django.contrib.auth.hashers.PBKDF2PasswordHasher", "django.contrib.auth.hashers.MD5PasswordHasher"],
    INSTALLED_APPS=["django.contrib.sessions"], SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies")
import django  # noqa: E402

django.setup()
for i in range(4):
    hashes.append(make_password(f"password{i}", hasher="pbkdf2_sha256" if i % 2 else "md5"))
write("hashes.txt", hashes)

# --- compressed -------------------------------------------------------------
comp = []
docs = [json.dumps({"id": i, "items": [rng.randint(0, 99) for _ in range(i + 3)], "name": f"item {i}"}) for i in range(10)]
for d in docs:
    comp.append(base64.b64encode(gzip.compress(d.encode(), mtime=0)).decode())
    comp.append(base64.b64encode(zlib.compress(d.encode())).decode())
    comp.append(b64u(zlib.compress(d.encode())))
write("compressed.txt", comp)

# --- Django and Flask cookies ------------------------------------------------
from django.core import signing  # noqa: E402
from django.contrib.sessions.backends.signed_cookies import SessionStore  # noqa: E402

dj = []
for i in range(10):
    dj.append(signing.dumps({"user": i, "cart": list(range(i))}))
    dj.append(signing.dumps({"user": i, "msg": "hello " * (i + 3)}, compress=True))
    dj.append(signing.Signer().sign(f"value-{i}"))
    dj.append(signing.TimestampSigner().sign(f"user{i}@example.com"))
    s = SessionStore()
    s["_auth_user_id"] = str(i)
    s["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    s["_auth_user_hash"] = hashlib.sha256(b"%d" % i).hexdigest()
    s.save()
    dj.append(s.session_key)
write("django.txt", dj)

from flask import Flask  # noqa: E402
from flask.sessions import SecureCookieSessionInterface  # noqa: E402
import itsdangerous  # noqa: E402

app = Flask("neg")
app.secret_key = "flask-negative-corpus"
ser = SecureCookieSessionInterface().get_signing_serializer(app)
fl = []
for i in range(10):
    fl.append(ser.dumps({"user_id": i, "_fresh": True, "csrf_token": secrets.token_hex(20)}))
    fl.append(ser.dumps({"cart": ["sku-%d" % j for j in range(i * 5)], "t": (1, 2)}))
    fl.append(itsdangerous.URLSafeTimedSerializer("k").dumps({"email": f"u{i}@example.com"}))
write("flask.txt", fl)

# --- text ---------------------------------------------------------------------
text = []
for lic in ("GPL-3", "Apache-2.0", "BSD", "Artistic", "MPL-2.0", "LGPL-2.1"):
    path = "/usr/share/common-licenses/" + lic
    if not os.path.exists(path):
        continue
    lines = [l.strip() for l in open(path, encoding="utf-8", errors="replace") if len(l.strip()) > 20]
    text += rng.sample(lines, min(15, len(lines)))
import collections, inspect, json as jsonmod, pickle as picklemod, urllib.request  # noqa: E401,E402
for mod in (collections, inspect, jsonmod, picklemod, urllib.request, csv, datetime):
    doc = inspect.getdoc(mod) or ""
    text += [l for l in doc.split("\n") if len(l) > 20][:6]
text += [
    "Hello! Your order #4821 has shipped and will arrive Tuesday.",
    "Wow!! That's 100% amazing!!! Thanks a lot :)",
    "cat: /etc/passwd: Permission denied",
    "(555) 123-4567",
    "(c) 2024 Example Corp. All rights reserved.",
    "Internal Server Error",
    "Note: the value must be between 1 and 10.",
    "a:b:c",
    "O: oxygen, N: nitrogen",
    "I am here.",
    "N.B. see below",
    "c'est la vie",
    "}{",
    "rO0 is not a magic word",
    "gAAAAABl_this-looks-like-fernet",
]
# Fernet tokens start with "gAAAAA" (0x80 version byte).
from cryptography.fernet import Fernet  # noqa: E402  (python3-cryptography, a Flask dependency)

for i in range(6):
    text.append(Fernet(Fernet.generate_key()).encrypt(b"secret message %d" % i).decode())
write("text.txt", text)

b64text = [base64.b64encode(t.encode()).decode() for t in text[:40]]
b64text += [b64u(t.encode()) for t in text[40:60]]
write("base64_text.txt", b64text)

# --- JSON ---------------------------------------------------------------------
js = []
js.append(json.dumps({"@context": "https://schema.org", "@type": "Person", "name": "Jane Doe",
                      "jobTitle": "Professor", "url": "http://www.janedoe.com"}))
js.append(json.dumps({"@context": "https://schema.org", "@type": "Product", "name": "Widget",
                      "offers": {"@type": "Offer", "price": "9.99", "priceCurrency": "USD"},
                      "aggregateRating": {"@type": "AggregateRating", "ratingValue": "4.4"}}))
js.append(json.dumps({"@context": {"schema": "http://schema.org/"}, "@type": "schema:Organization",
                      "@id": "https://example.com/#org", "schema:name": "Example"}))
js.append(json.dumps({"@type": "http://schema.org/Event", "startDate": "2024-05-01"}))
js.append(json.dumps({"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
                      "domain": "googleapis.com"}))
js.append(json.dumps({"error": {"code": 400, "details": [{"@type": "type.googleapis.com/google.rpc.BadRequest"}]}}))
js.append(json.dumps({"filter": {"age": {"$type": "number"}, "name": {"$type": "string"}}}))
js.append(json.dumps({"_id": {"$oid": "5f1a2b3c4d5e6f7a8b9c0d1e"}, "created": {"$date": "2024-05-01T00:00:00Z"}}))
js.append(json.dumps({"$type": "Person", "name": "x"}))
js.append(json.dumps({"@odata.type": "#Microsoft.Graph.user", "displayName": "Adele"}))
js.append(json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {
    "type": "Point", "coordinates": [102.0, 0.5]}, "properties": {"prop0": "value0"}}]}))
js.append(json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                               "Resource": "arn:aws:s3:::bucket/*"}]}))
js.append(json.dumps({"name": "app", "version": "1.0.0", "scripts": {"start": "node index.js"},
                      "dependencies": {"express": "^4.18.2"}}))
js.append(json.dumps({"openapi": "3.0.3", "info": {"title": "API", "version": "1"}, "paths": {"/users/{id}": {
    "get": {"responses": {"200": {"$ref": "#/components/schemas/User"}}}}}}))
js.append(json.dumps({"class": "com.example.Foo", "type": "java.lang.String", "package": "py/obj"}))
for i in range(25):
    js.append(json.dumps({"id": rng.randint(1, 10**9), "uuid": str(uuid.UUID(int=rng.getrandbits(128))),
                          "name": rng.choice(["alice", "bob", "carol"]), "active": rng.random() > 0.5,
                          "score": round(rng.random() * 100, 3), "tags": rng.sample(["a", "b", "c", "d"], 2),
                          "created": datetime.datetime(2024, 1, 1 + i % 28).isoformat() + "Z",
                          "links": {"self": f"/api/v1/items/{i}", "next": f"/api/v1/items?page={i + 1}"}}))
write("json.txt", js)

# --- CSV, URLs, headers, markup -------------------------------------------
buf = io.StringIO()
w = csv.writer(buf)
w.writerow(["id", "name", "email", "amount", "date"])
for i in range(15):
    w.writerow([i, f"User {i}", f"u{i}@example.com", f"{rng.random() * 1000:.2f}", f"2024-05-{1 + i:02d}"])
write("csv.txt", buf.getvalue().splitlines())

urls = []
for i in range(15):
    q = urllib.parse.urlencode({"q": f"red shoes {i}", "page": i, "sort": "price:asc", "next": f"/cart?item={i}&x=1"})
    urls.append(f"https://shop.example.com/search?{q}")
    urls.append(urllib.parse.quote(f"https://example.com/cb?code={secrets.token_urlsafe(24)}&state={i}", safe=""))
urls.append("https://accounts.example.com/o/oauth2/auth?response_type=code&client_id=abc.apps.example.com&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&scope=openid%20email&state=" + secrets.token_urlsafe(16))
urls.append("https://bucket.s3.amazonaws.com/key.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20240501%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20240501T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=" + hashlib.sha256(b"x").hexdigest())
write("urls.txt", urls)

misc = [
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
    "max-age=31536000; includeSubDomains; preload",
    "default-src 'self'; script-src 'self' 'nonce-" + secrets.token_urlsafe(16) + "'; object-src 'none'",
    "sessionid=" + secrets.token_hex(16) + "; expires=Wed, 01 May 2024 12:00:00 GMT; HttpOnly; Path=/; SameSite=Lax",
    "2024-05-01T12:30:00.123456+00:00", "Wed, 01 May 2024 12:30:00 GMT", "1714566600", "-12.5e+10",
    "192.168.1.10", "2001:db8::ff00:42:8329", "alice@example.com", "arn:aws:dynamodb:us-east-1:123456789012:table/Sessions",
    "<div class=\"alert\">Saved!</div>", "<input type=\"hidden\" name=\"csrfmiddlewaretoken\" value=\"" + secrets.token_urlsafe(48) + "\">",
    "s:3:\"foo\";", "i:5;", "b:1;", "N;", "d:0.5;", "s:11:\"hello world\";",
    "Resources:\n  Bucket: !Ref MyBucket".replace("\n", " "),
    "Value: !GetAtt MyFunction.Arn", "Name: !Sub '${AWS::StackName}-bucket'", "password: !vault |",
    "key: !!str 123", "when: !!timestamp 2001-12-14", "data: !!binary R0lGODlhDAAMAIQAAP",
    "ruby/object is a tag prefix", "python/object:foo.Bar without a bang",
    "The !!python/object: tag is dangerous, see the docs",
    "x=!!java.lang.Runtime",
    "user:" + secrets.token_hex(8) + ":" + secrets.token_hex(16),
    "v1:" + base64.b64encode(rbytes(24)).decode() + ":" + base64.b64encode(rbytes(32)).decode(),
    "AAAA" * 8, "0" * 40, "ff" * 20, "deadbeef" * 4,
    "H4sIAAAAAAAAA" + base64.b64encode(rbytes(40)).decode(),
    "gAJ" + secrets.token_urlsafe(30),
    "rO0AB" + secrets.token_urlsafe(30),
    "aced0005" + secrets.token_hex(20),
    "(dp0 is not a pickle", "ccopy_reg", "c__builtin__", "(lp0\nI1\n".replace("\n", " "),
    "O:8:\"stdClass\":1:{s:1:\"a\";}",  # truncated PHP: the count says 1 member but none is complete
    "a:2:{i:0;s:3:\"foo\";}",  # count mismatch
    "py/object", "\"py/object\": 5", "{\"py/object\": \"not a module name!\"}",
    "{\"@class\": \"Person\"}", "{\"@type\": \"Person\", \"@class\": \"x\"}",
    "function(){ return '_$$ND_FUNC' }",
]
write("misc.txt", misc)

# --- source code that mentions the markers ------------------------------------
# Lines of real files on the machine that contain "!!", "!ruby/", "py/",
# "$type", "@type" or "_$$ND_FUNC$$_" in code, comments or strings. A scan of
# the machine's files found the first two kinds matching (JavaScript double
# negation, YAML tags in comments); they stay here as regressions.
code = []
sources = ["/usr/share/javascript/jquery/jquery.js", "/usr/lib/python3/dist-packages/yaml/constructor.py",
           "/usr/lib/python3/dist-packages/yaml/representer.py", "/usr/lib/ruby/3.1.0/psych/visitors/to_ruby.rb",
           "/usr/lib/ruby/3.1.0/psych/visitors/yaml_tree.rb", "/usr/lib/ruby/3.1.0/yaml/store.rb",
           "/usr/lib/python3/dist-packages/jsonpickle/tags.py", "/usr/lib/python3/dist-packages/jsonpickle/unpickler.py"]
needles = ("!!", "!ruby/", "py/", "$type", "@type", "_$$ND_FUNC$$_", "!!python")
for path in sources:
    if not os.path.exists(path):
        continue
    hits = [l.rstrip("\n") for l in open(path, encoding="utf-8", errors="replace") if any(n in l for n in needles)]
    code += hits[:25]
write("code.txt", code)
