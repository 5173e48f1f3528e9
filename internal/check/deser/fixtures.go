package deser

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"

	"github.com/parapet-scanner/parapet/internal/check"
)

// Samples for the fixtures: a protocol-4 pickle of shop.models.Profile in
// urlsafe base64 without padding (as Django apps often put it in cookies),
// and a Java serialized java.util.HashMap in standard base64.
const (
	samplePickle   = "gASVWAAAAAAAAACMEGRlbW9fc2hvcC5tb2RlbHOUjAdQcm9maWxllJOUKYGUfZQojAR1c2VylIwFYWxpY2WUjARyb2xllIwIY3VzdG9tZXKUjARjYXJ0lF2UKEtlS81ldWIu"
	sampleJSONType = `{"$type":"Shop.Models.Cart, Shop","items":[{"$type":"Shop.Models.Line, Shop","sku":"A1"}]}`
)

// Fixtures implements check.WithFixtures.
func (*Check) Fixtures() []check.Fixture {
	return []check.Fixture{
		{
			Name: "pickle in a cookie",
			Kind: "deserialization/python-pickle",
			Vulnerable: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.SetCookie(w, &http.Cookie{Name: "profile", Value: samplePickle, Path: "/"})
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{"user":"alice"}`))
			}),
			Safe: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				// A Django signed cookie and a session id: ordinary tokens.
				http.SetCookie(w, &http.Cookie{Name: "profile", Value: "eyJ1c2VyIjoiYWxpY2UifQ:1sXb2c:Qm9hdGxvYWRzb2ZzaWduYXR1cmVieXRlcw", Path: "/"})
				http.SetCookie(w, &http.Cookie{Name: "sessionid", Value: "k3j9d8f7g6h5j4k3l2m1n0b9v8c7x6z5", Path: "/"})
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{"user":"alice"}`))
			}),
		},
		{
			Name:       "pickle cookie restored by the server (active proof)",
			Kind:       "deserialization/python-pickle",
			Vulnerable: pickleCookieApp(true),
			Safe:       pickleCookieApp(false),
		},
		{
			Name: "Json.NET $type in a response",
			Kind: "deserialization/json-type-indicator",
			Vulnerable: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(sampleJSONType))
			}),
			Safe: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/ld+json")
				_, _ = w.Write([]byte(`{"@context":"https://schema.org","@type":"Product","name":"Lamp","sku":"A1"}`))
			}),
		},
	}
}

// pickleCookieApp is a small profile service that keeps the profile in a
// `profile` cookie. The vulnerable variant hands out a pickle and restores
// it from the cookie the way pickle.loads would, answering errors with a
// Django DEBUG page; it imitates only the first module lookup of the stream
// (fakeUnpickle) and never deserializes anything. The safe variant hands
// out a signed JSON token and answers 400 to anything else.
func pickleCookieApp(vulnerable bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ck, err := r.Cookie("profile")
		if !vulnerable {
			if err == nil && ck.Value != safeProfileToken {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				_, _ = w.Write([]byte(`{"error": "bad request"}`))
				return
			}
			http.SetCookie(w, &http.Cookie{Name: "profile", Value: safeProfileToken, Path: "/", HttpOnly: true})
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"user":"alice"}`))
			return
		}
		if err == nil {
			data, derr := base64.RawURLEncoding.DecodeString(strings.TrimRight(ck.Value, "="))
			if derr != nil {
				djangoDebug500(w, r, "binascii.Error", "Incorrect padding")
				return
			}
			if _, perr := fakeUnpickle(data, fixtureModules); perr != nil {
				djangoDebug500(w, r, perr.class, perr.msg)
				return
			}
		}
		http.SetCookie(w, &http.Cookie{Name: "profile", Value: samplePickle, Path: "/"})
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"user":"alice"}`))
	})
}

// safeProfileToken is the safe variant's signed JSON profile.
const safeProfileToken = "eyJ1c2VyIjoiYWxpY2UifQ:1sXb2c:Qm9hdGxvYWRzb2ZzaWduYXR1cmVieXRlcw"

// fixtureModules are the modules the imitated server can import.
var fixtureModules = map[string]bool{"demo_shop.models": true, "shop.models": true, "builtins": true, "copyreg": true}

// pyError is a Python exception, as a fixture reports it.
type pyError struct{ class, msg string }

// fakeUnpickle imitates what pickle.loads does up to the first module
// lookup of a stream, for the fixtures: it walks the opcodes a lookup needs
// (PROTO, FRAME, strings, memo, GLOBAL, STACK_GLOBAL) and fails the way
// Python does when the stream is cut, unknown or names a module that is not
// importable. It builds nothing and returns the module it would import.
func fakeUnpickle(d []byte, importable map[string]bool) (string, *pyError) {
	truncated := &pyError{"_pickle.UnpicklingError", "pickle data was truncated"}
	if len(d) == 0 {
		return "", &pyError{"EOFError", "Ran out of input"}
	}
	var strs []string
	lookup := func(mod string) (string, *pyError) {
		if !importable[mod] {
			return "", &pyError{"ModuleNotFoundError", fmt.Sprintf("No module named '%s'", strings.SplitN(mod, ".", 2)[0])}
		}
		return mod, nil
	}
	for i := 0; i < len(d); {
		op := d[i]
		i++
		switch op {
		case 0x80: // PROTO
			i++
		case 0x95: // FRAME
			if i+8 > len(d) {
				return "", truncated
			}
			n := 0
			for k := 7; k >= 0; k-- {
				n = n<<8 | int(d[i+k])
			}
			i += 8
			if n > len(d)-i {
				return "", truncated
			}
		case 0x8c: // SHORT_BINUNICODE
			if i >= len(d) || i+1+int(d[i]) > len(d) {
				return "", truncated
			}
			strs = append(strs, string(d[i+1:i+1+int(d[i])]))
			i += 1 + int(d[i])
		case 0x94: // MEMOIZE
		case 'c': // GLOBAL
			j := bytes.IndexByte(d[i:], '\n')
			if j < 0 || bytes.IndexByte(d[i+j+1:], '\n') < 0 {
				return "", truncated
			}
			return lookup(string(d[i : i+j]))
		case 0x93: // STACK_GLOBAL
			if len(strs) < 2 {
				return "", &pyError{"_pickle.UnpicklingError", "unpickling stack underflow"}
			}
			return lookup(strs[len(strs)-2])
		default:
			return "", &pyError{"_pickle.UnpicklingError", fmt.Sprintf("invalid load key, '\\x%02x'.", op)}
		}
	}
	return "", truncated
}

// djangoDebug500 writes the shape of Django's DEBUG technical 500 page.
func djangoDebug500(w http.ResponseWriter, r *http.Request, class, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	short := class[strings.LastIndexByte(class, '.')+1:]
	fmt.Fprintf(w, `<!DOCTYPE html>
<html lang="en">
<head>
  <meta http-equiv="content-type" content="text/html; charset=utf-8">
  <meta name="robots" content="NONE,NOARCHIVE">
  <title>%s at %s</title>
</head>
<body>
<div id="summary">
  <h1>%s at %s</h1>
  <pre class="exception_value">%s</pre>
  <table class="meta">
    <tr><th>Request Method:</th><td>%s</td></tr>
    <tr><th>Django Version:</th><td>3.2.25</td></tr>
    <tr><th>Exception Type:</th><td>%s</td></tr>
    <tr><th>Exception Location:</th><td>/srv/shop/state.py, line 61, in decode</td></tr>
  </table>
</div>
<div id="traceback">
  <ul class="traceback"><li class="frame user"><code class="fname">/srv/shop/state.py</code>, line 61, in decode
  <div class="context"><ol start="61"><li><pre>        return pickle.loads(raw)</pre></li></ol></div></li></ul>
</div>
</body>
</html>
`, short, djangoEscape(r.URL.Path), short, djangoEscape(r.URL.Path), djangoEscape(msg), r.Method, short)
}

// djangoEscape escapes text the way Django's templates do.
var djangoEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#x27;").Replace
