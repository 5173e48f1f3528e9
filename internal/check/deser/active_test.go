package deser

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/check/checktest"
	"github.com/parapet-scanner/parapet/internal/finding"
	"github.com/parapet-scanner/parapet/internal/inventory"
	"github.com/parapet-scanner/parapet/internal/sniff"
)

const pickleKind = "deserialization/python-pickle"

// decodeB64 reads base64 in either alphabet, padded or not.
func decodeB64(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	s = strings.NewReplacer("-", "+", "_", "/").Replace(s)
	return base64.RawStdEncoding.DecodeString(s)
}

func TestProof_DjangoDebugModuleNotFound_Confirmed(t *testing.T) {
	r := runProofs(t, pickleCookieApp(true), runOpts{})
	f, ok := r.strongest(pickleKind, finding.InCookie, "profile")
	if !ok || f.Confidence != finding.Confirmed || f.Severity != finding.Critical {
		t.Fatalf("want a confirmed critical pickle finding on cookie profile, got %+v", r.findings)
	}
	passive := r.byID(f.ID)
	if len(passive) < 2 || passive[0].Confidence != finding.Tentative {
		t.Fatalf("the proof must share the passive finding's id so the scan merges them: %d findings with id %s", len(passive), f.ID)
	}
	if f.Location.Method != "GET" || f.Location.Path != "/" || f.Title == "" || strings.Contains(f.Title, "pptest0token") {
		t.Errorf("location/title: %+v %q", f.Location, f.Title)
	}
	d := f.Details
	if d["proof"] != proofConfirmed || d["canary_class"] != "parapet_canary_pptest0token.Probe__" || !strings.Contains(d["signature"].(string), "parapet_canary_pptest0token") {
		t.Errorf("details %v", d)
	}
	if cls, _ := d["classes"].([]string); len(cls) == 0 || cls[0] != "demo_shop.models.Profile" {
		t.Errorf("the blob's own classes must stay in details: %v", d["classes"])
	}
	if len(f.Evidence) < 2 || !strings.Contains(f.Evidence[0].Request, "profile=gAS") || !strings.Contains(f.Evidence[0].Response, "ModuleNotFoundError") {
		t.Errorf("first evidence must be the canary exchange with the canary visible: %+v", f.Evidence)
	}
	if !strings.Contains(f.Evidence[1].Note, "baseline") || strings.Contains(f.Evidence[1].Request, "gAS") {
		t.Errorf("second evidence must be the masked baseline: %+v", f.Evidence[1])
	}
	if !strings.Contains(f.Reproduce, "-b 'profile=gAS") {
		t.Errorf("reproduce: %s", f.Reproduce)
	}
	if n := r.probes(); n != 2 {
		t.Errorf("%d probes; a confirmed blob needs the canary and one baseline", n)
	}
}

// TestProof_QuickProfile_CanaryOnly: on quick, a seen blob gets its canary
// and nothing else, and no likely location is probed.
func TestProof_QuickProfile_CanaryOnly(t *testing.T) {
	r := runProofs(t, pickleCookieApp(true), runOpts{profile: check.ProfileQuick})
	f, ok := r.strongest(pickleKind, finding.InCookie, "profile")
	if !ok || f.Confidence != finding.Confirmed {
		t.Fatalf("quick must still confirm: %+v", r.findings)
	}
	if n := r.probes(); n != 1 {
		t.Errorf("%d probes on quick, want the canary only", n)
	}
}

// blobCookieApp hands out the sample pickle in cookie profile and answers a
// request carrying that cookie with answer(value).
func blobCookieApp(answer func(w http.ResponseWriter, value string)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ck, err := r.Cookie("profile"); err == nil && ck.Value != samplePickle {
			answer(w, ck.Value)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "profile", Value: samplePickle, Path: "/"})
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"user":"alice"}`))
	})
}

func TestProof_Generic500_DifferentialIsFirm(t *testing.T) {
	r := runProofs(t, blobCookieApp(func(w http.ResponseWriter, _ string) {
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
	}), runOpts{})
	f, ok := r.strongest(pickleKind, finding.InCookie, "profile")
	if !ok || f.Confidence != finding.Firm || f.Severity != finding.High || f.Details["proof"] != proofDifferential {
		t.Fatalf("want a firm high differential, got %+v", f)
	}
	if note, _ := f.Details["note"].(string); !strings.Contains(note, "differential") {
		t.Errorf("a differential must say so: %v", f.Details)
	}
	if n := r.probes(); n != 5 {
		t.Errorf("%d probes; canary, truncated blob, baseline, the canary again and the control make 5", n)
	}
}

func TestProof_UnpicklingErrorOnTruncatedBlob_Firm(t *testing.T) {
	r := runProofs(t, blobCookieApp(func(w http.ResponseWriter, v string) {
		data, _ := decodeB64(v)
		if _, perr := fakeUnpickle(data, fixtureModules); perr != nil && perr.class != "ModuleNotFoundError" {
			// The app hides import errors but not the rest.
			http.Error(w, perr.class+": "+perr.msg, http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"bad profile"}`))
	}), runOpts{})
	f, ok := r.strongest(pickleKind, finding.InCookie, "profile")
	if !ok || f.Confidence != finding.Firm || f.Severity != finding.High || f.Details["proof"] != proofError || f.Details["signature"] != "UnpicklingError" {
		t.Fatalf("want firm high deserializer-error, got %+v", f)
	}
}

// TestProof_FixedApp400ToEverything_NotConfirmed guards against reading a
// blanket error as proof: the baseline gets the same 400.
func TestProof_FixedApp400ToEverything_NotConfirmed(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "profile", Value: samplePickle, Path: "/"})
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"bad request"}`))
	})
	r := runProofs(t, h, runOpts{})
	if p := r.proven(); len(p) != 0 {
		t.Fatalf("an app that answers 400 to everything proves nothing: %+v", p)
	}
	if _, ok := r.strongest(pickleKind, finding.InCookie, "profile"); !ok {
		t.Fatal("the passive finding must stay")
	}
}

// TestProof_ValidatingApp400_NotProof: an app that rejects anything but its
// own value with 400 validates its input; that is no differential.
func TestProof_ValidatingApp400_NotProof(t *testing.T) {
	r := runProofs(t, blobCookieApp(func(w http.ResponseWriter, _ string) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"bad request"}`))
	}), runOpts{})
	if p := r.proven(); len(p) != 0 {
		t.Fatalf("4xx on a changed value is validation, not proof: %+v", p)
	}
}

func TestProof_200IgnoresTheCookie_StaysTentative(t *testing.T) {
	r := runProofs(t, blobCookieApp(func(w http.ResponseWriter, _ string) {
		_, _ = w.Write([]byte(`{"user":"alice"}`))
	}), runOpts{})
	if p := r.proven(); len(p) != 0 {
		t.Fatalf("no response difference, no proof: %+v", p)
	}
	f, ok := r.strongest(pickleKind, finding.InCookie, "profile")
	if !ok || f.Confidence != finding.Tentative || f.Severity != finding.High {
		t.Fatalf("the passive finding must stay high/tentative: %+v", f)
	}
	if n := r.probes(); n > 3 {
		t.Errorf("%d probes for one location", n)
	}
}

// TestProof_FlakyServer_NoDifferential: a 500 that does not repeat is not
// a consistent differential.
func TestProof_FlakyServer_NoDifferential(t *testing.T) {
	n := 0
	r := runProofs(t, blobCookieApp(func(w http.ResponseWriter, _ string) {
		n++
		if n <= 2 {
			http.Error(w, "oops", http.StatusInternalServerError)
			return
		}
		_, _ = w.Write([]byte(`{"user":"alice"}`))
	}), runOpts{})
	if p := r.proven(); len(p) != 0 {
		t.Fatalf("a 500 that did not repeat must not count: %+v", p)
	}
}

// pickleQueryApp unpickles (imitated) query parameter state on /api/cart.
func pickleQueryApp(w http.ResponseWriter, r *http.Request) {
	if v := r.URL.Query().Get("state"); v != "" {
		data, err := decodeB64(v)
		if err == nil {
			if _, perr := fakeUnpickle(data, fixtureModules); perr != nil {
				djangoDebug500(w, r, perr.class, perr.msg)
				return
			}
		}
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"items":[],"state":%q}`, samplePickle)
}

func TestProof_UserURLQueryState_Confirmed(t *testing.T) {
	r := runProofs(t, http.HandlerFunc(pickleQueryApp), runOpts{path: "/api/cart?state=" + samplePickle})
	f, ok := r.strongest(pickleKind, finding.InQuery, "state")
	if !ok || f.Confidence != finding.Confirmed || f.Location.Path != "/api/cart" || f.Location.Method != "GET" {
		t.Fatalf("want confirmed on GET /api/cart query state: %+v", r.findings)
	}
	if !strings.Contains(f.Evidence[0].Request, "state=gAS") {
		t.Errorf("canary request: %s", f.Evidence[0].Request)
	}
}

// TestProof_BlobReturnedInJSONField_ProbedAsQuery: the state the server
// returns in a field is tried as the same-named query parameter.
func TestProof_BlobReturnedInJSONField_ProbedAsQuery(t *testing.T) {
	r := runProofs(t, http.HandlerFunc(pickleQueryApp), runOpts{path: "/api/cart"})
	f, ok := r.strongest(pickleKind, finding.InQuery, "state")
	if !ok || f.Confidence != finding.Confirmed {
		t.Fatalf("want confirmed on query state: %+v", r.findings)
	}
	if d, _ := f.Details["origin"].(string); !strings.Contains(d, "JSON field") {
		t.Errorf("origin %v", f.Details["origin"])
	}
}

// sessionApp sets a random-looking session cookie; the vulnerable variant
// unpickles (imitated) whatever base64 pickle comes back in it.
func sessionApp(vulnerable bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ck, err := r.Cookie("sessiondata"); err == nil && vulnerable {
			if data, err := decodeB64(ck.Value); err == nil && len(data) > 0 && (data[0] == 0x80 || data[0] == 'c') {
				if _, perr := fakeUnpickle(data, fixtureModules); perr != nil {
					w.WriteHeader(http.StatusInternalServerError)
					_, _ = io.WriteString(w, "Traceback (most recent call last):\n  File \"app.py\", line 12, in load\n"+perr.class+": "+perr.msg+"\n")
					return
				}
			}
		}
		http.SetCookie(w, &http.Cookie{Name: "sessiondata", Value: "Zq81kT0x9b2c4d6e8f0a1b3c", Path: "/"})
		http.SetCookie(w, &http.Cookie{Name: "csrftoken", Value: "Zq81kT0x9b2c4d6e8f0a1b3cZq81kT0x", Path: "/"})
		_, _ = w.Write([]byte(`{"ok":true}`))
	})
}

func TestProof_LikelySessionCookie_Confirmed(t *testing.T) {
	r := runProofs(t, sessionApp(true), runOpts{})
	f, ok := r.strongest(pickleKind, finding.InCookie, "sessiondata")
	if !ok || f.Confidence != finding.Confirmed || f.Severity != finding.Critical {
		t.Fatalf("want a confirmed pickle finding on the likely cookie: %+v", r.findings)
	}
	for _, ex := range r.client.Exchanges() {
		if ex.Check == "deserialization" && strings.Contains(ex.RequestHeader.Get("Cookie"), "csrftoken=") {
			t.Errorf("anti-forgery cookies are not likely locations: %s", ex.RequestHeader.Get("Cookie"))
		}
	}
}

// TestProof_LikelyCookieOnSafeApp_NoFinding guards against the check's own
// canaries being reported passively as pickles the API exchanges.
func TestProof_LikelyCookieOnSafeApp_NoFinding(t *testing.T) {
	r := runProofs(t, sessionApp(false), runOpts{})
	if len(r.findings) != 0 {
		t.Fatalf("a safe app must yield nothing, got %+v", r.findings)
	}
	if n := r.probes(); n == 0 || n > 3 {
		t.Errorf("%d probes for one likely cookie, want 1 to 3", n)
	}
}

func TestProof_Budget_LikelyLocationsCapped(t *testing.T) {
	var params []inventory.Parameter
	for _, n := range []string{"state", "data", "payload", "object", "obj", "token", "session", "profile", "cart", "prefs", "blob", "serialized", "pickle", "ctx", "viewstate", "user_state", "app_data", "cart_blob"} {
		params = append(params, inventory.Parameter{Name: n, In: "query"})
	}
	ops := []inventory.Operation{{Method: "GET", Path: "/api/x", Parameters: params}}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })
	std := runProofs(t, h, runOpts{ops: ops})
	if n := std.probes(); n > 8*3 {
		t.Errorf("standard: %d probes, want at most 8 locations × 3", n)
	}
	if len(std.findings) != 0 {
		t.Errorf("nothing to find: %+v", std.findings)
	}
	quick := runProofs(t, h, runOpts{ops: ops, profile: check.ProfileQuick})
	if n := quick.probes(); n != 0 {
		t.Errorf("quick: %d probes, want none without a seen blob", n)
	}
	deep := runProofs(t, h, runOpts{ops: ops, profile: check.ProfileDeep})
	if n := deep.probes(); n <= std.probes() || n > budgets[check.ProfileDeep].requests {
		t.Errorf("deep: %d probes (standard %d)", n, std.probes())
	}
}

// bodyCartApp unpickles (imitated) the state field of POST /api/cart bodies.
func bodyCartApp(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		var body struct {
			ItemID int    `json:"item_id"`
			State  string `json:"state"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.ItemID == 0 {
			http.Error(w, `{"error":"bad request"}`, http.StatusBadRequest)
			return
		}
		if data, err := decodeB64(body.State); err == nil && len(data) > 0 {
			if _, perr := fakeUnpickle(data, fixtureModules); perr != nil {
				djangoDebug500(w, r, perr.class, perr.msg)
				return
			}
		}
		w.WriteHeader(http.StatusCreated)
	}
	_, _ = w.Write([]byte(`{"items":[]}`))
}

func TestProof_ActiveJSONBody(t *testing.T) {
	ops := []inventory.Operation{{Method: "POST", Path: "/api/cart", Parameters: []inventory.Parameter{
		{Name: "item_id", In: "body", Type: "integer", Example: "2", Required: true},
		{Name: "state", In: "body", Type: "string"},
	}}}
	r := runProofs(t, http.HandlerFunc(bodyCartApp), runOpts{ops: ops, active: true})
	f, ok := r.strongest(pickleKind, finding.InBody, "state")
	if !ok || f.Confidence != finding.Confirmed || f.Location.Method != "POST" || f.Location.Path != "/api/cart" {
		t.Fatalf("want confirmed on POST /api/cart body state: %+v", r.findings)
	}
	passive := runProofs(t, http.HandlerFunc(bodyCartApp), runOpts{ops: ops})
	for _, ex := range passive.client.Exchanges() {
		if ex.Method != http.MethodGet {
			t.Fatalf("without --active only GET may be sent, got %s %s", ex.Method, ex.URL)
		}
	}
	if len(passive.proven()) != 0 {
		t.Fatalf("no body probe without --active: %+v", passive.proven())
	}
}

// nodePrefsApp keeps node-serialize preferences in cookie prefs and prints
// the display name; it imitates unserialize by turning marker strings into
// the function's source text (String(fn) in JavaScript), evaluating
// nothing.
func nodePrefsApp(w http.ResponseWriter, r *http.Request) {
	name := "guest"
	if ck, err := r.Cookie("prefs"); err == nil {
		raw, err := base64.StdEncoding.DecodeString(ck.Value)
		var obj map[string]any
		if err != nil || json.Unmarshal(raw, &obj) != nil {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, "<pre>SyntaxError: Unexpected end of JSON input<br> &nbsp; &nbsp;at JSON.parse (&lt;anonymous&gt;)<br> &nbsp; &nbsp;at Object.unserialize (/app/node_modules/node-serialize/lib/serialize.js:62:16)</pre>")
			return
		}
		if s, ok := obj["displayName"].(string); ok {
			name = strings.TrimPrefix(s, "_$$ND_FUNC$$_")
		}
	}
	prefs := `{"displayName":"guest","theme":"light","formatPrice":"_$$ND_FUNC$$_function (cents) { return (cents / 100).toFixed(2); }"}`
	http.SetCookie(w, &http.Cookie{Name: "prefs", Value: base64.StdEncoding.EncodeToString([]byte(prefs)), Path: "/"})
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"greeting":%q}`, "Welcome back, "+name+"!")
}

func TestProof_NodeSerializeEvaluated_Confirmed(t *testing.T) {
	r := runProofs(t, http.HandlerFunc(nodePrefsApp), runOpts{})
	f, ok := r.strongest("deserialization/json-type-indicator", finding.InCookie, "prefs")
	if !ok || f.Confidence != finding.Confirmed || f.Severity != finding.Critical || f.Details["canary_kind"] != "node-serialize" {
		t.Fatalf("want a confirmed critical node-serialize finding: %+v", r.findings)
	}
	canaryValue, _ := f.Details["canary"].(string)
	raw, _ := base64.StdEncoding.DecodeString(canaryValue)
	if strings.Contains(string(raw), "formatPrice") || strings.Contains(string(raw), "}()") {
		t.Errorf("the canary must drop the app's functions and call nothing: %s", raw)
	}
}

// javaSessionApp hands out a Java serialized HashMap in header
// X-Session-State and reads it back from the same request header; reading
// imitates ObjectInputStream's first class lookup only.
func javaSessionApp(w http.ResponseWriter, r *http.Request) {
	const sample = "rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcAUH2sHDFmDRAwACRgAKbG9hZEZhY3RvckkACXRocmVzaG9sZHhwP0AAAAAAAAB3CAAAABAAAAAAeA=="
	if v := r.Header.Get("X-Session-State"); v != "" {
		d, err := base64.StdEncoding.DecodeString(v)
		switch {
		case err != nil || len(d) < 8 || d[0] != 0xac || d[1] != 0xed:
			http.Error(w, "java.io.StreamCorruptedException: invalid stream header", http.StatusInternalServerError)
			return
		case d[4] == 0x73 && d[5] == 0x72:
			n := int(binary.BigEndian.Uint16(d[6:]))
			if 8+n > len(d) {
				http.Error(w, "java.io.EOFException\n\tat java.io.ObjectInputStream$PeekInputStream.readFully", http.StatusInternalServerError)
				return
			}
			if cls := string(d[8 : 8+n]); cls != "java.util.HashMap" {
				http.Error(w, "java.lang.ClassNotFoundException: "+cls, http.StatusInternalServerError)
				return
			}
		}
	}
	w.Header().Set("X-Session-State", sample)
	_, _ = w.Write([]byte(`{"cart":[]}`))
}

func TestProof_JavaStateHeader_Confirmed(t *testing.T) {
	r := runProofs(t, http.HandlerFunc(javaSessionApp), runOpts{})
	f, ok := r.strongest("deserialization/java-serialization", finding.InHeader, "X-Session-State")
	if !ok || f.Confidence != finding.Confirmed || f.Severity != finding.Critical || f.Location.Path != "/" {
		t.Fatalf("want confirmed java finding on request header X-Session-State: %+v", r.findings)
	}
}

// TestProof_ReusedCheckInstance: state belongs to one target, so a check
// used for a second target does not probe the first one's locations.
func TestProof_ReusedCheckInstance(t *testing.T) {
	c := New()
	for i, h := range []http.Handler{pickleCookieApp(true), sessionApp(false)} {
		got := runWith(t, c, h)
		if i == 1 && len(got) != 0 {
			t.Fatalf("second target: %+v", got)
		}
	}
}

func runWith(t *testing.T, c *Check, h http.Handler) []finding.Finding {
	t.Helper()
	return checktest.Run(t, c, h, checktest.Options{})
}

// TestProof_SignedTokenSegment_NoDifferential: a pickle inside a signed
// value fails any change on its signature, before unpickling; a 500 there
// is no differential.
func TestProof_SignedTokenSegment_NoDifferential(t *testing.T) {
	signed := samplePickle + ":1sXb2c:Qm9hdGxvYWRzb2ZzaWduYXR1cmVieXRlcw"
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ck, err := r.Cookie("profile"); err == nil && ck.Value != signed {
			http.Error(w, "Internal Server Error", http.StatusInternalServerError) // BadSignature, uncaught
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "profile", Value: signed, Path: "/"})
		_, _ = w.Write([]byte(`{"user":"alice"}`))
	})
	r := runProofs(t, h, runOpts{})
	if _, ok := r.strongest(pickleKind, finding.InCookie, "profile"); !ok {
		t.Fatalf("the passive finding must be there: %+v", r.findings)
	}
	if p := r.proven(); len(p) != 0 {
		t.Fatalf("a signed segment proves nothing by differential: %+v", p)
	}
}

// rackSessionApp keeps a Marshal-dumped session in cookie rack.session and
// imitates Marshal.load's first class lookup when it comes back.
func rackSessionApp(w http.ResponseWriter, r *http.Request) {
	const session = "BAhvOgtPYmplY3QA" // Marshal.dump(Object.new)
	if ck, err := r.Cookie("rack.session"); err == nil && ck.Value != session {
		d, err := base64.StdEncoding.DecodeString(ck.Value)
		switch {
		case err != nil || len(d) < 5 || d[0] != 4 || d[1] != 8:
			http.Error(w, "ArgumentError: marshal data too short", http.StatusInternalServerError)
			return
		case d[2] == 'o' && d[3] == ':':
			n := int(d[4]) - 5
			if n > 0 && 5+n <= len(d) && string(d[5:5+n]) != "Object" {
				http.Error(w, "ArgumentError: undefined class/module "+string(d[5:5+n]), http.StatusInternalServerError)
				return
			}
		}
	}
	http.SetCookie(w, &http.Cookie{Name: "rack.session", Value: session, Path: "/"})
	_, _ = w.Write([]byte(`{"ok":true}`))
}

func TestProof_RubyMarshalSession_Confirmed(t *testing.T) {
	if _, ok := findMatch(sniffValue("BAhvOgtPYmplY3QA"), sniff.RubyMarshal); !ok {
		t.Skip("the sniffer does not read Ruby Marshal yet")
	}
	r := runProofs(t, http.HandlerFunc(rackSessionApp), runOpts{})
	f, ok := r.strongest("deserialization/ruby-marshal", finding.InCookie, "rack.session")
	if !ok || f.Confidence != finding.Confirmed || f.Severity != finding.Critical {
		t.Fatalf("want a confirmed Ruby Marshal finding: %+v", r.findings)
	}
}

// TestProof_CookieReadOnAnotherPath: the cookie is set everywhere but read
// on one path only; the canary goes to a second URL that set it, and a 404
// that set it is never the probe URL.
func TestProof_CookieReadOnAnotherPath(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/profile" {
			pickleCookieApp(true).ServeHTTP(w, r)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "profile", Value: samplePickle, Path: "/"})
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(`{"links":["/api/profile"]}`))
	})
	ops := []inventory.Operation{{Method: "GET", Path: "/missing"}, {Method: "GET", Path: "/api/profile"}}
	r := runProofs(t, h, runOpts{ops: ops})
	f, ok := r.strongest(pickleKind, finding.InCookie, "profile")
	if !ok || f.Confidence != finding.Confirmed {
		t.Fatalf("want confirmed through the second URL: %+v", r.findings)
	}
	for _, ex := range r.client.Exchanges() {
		if ex.Check == "deserialization" && strings.HasSuffix(ex.URL, "/missing") {
			t.Errorf("probed a URL that answered 404: %s", ex.URL)
		}
	}
}

// TestProof_EchoedCanaryIsNotABlob: an app that echoes the value it
// refuses in a plain-text error does not make the canary a finding.
func TestProof_EchoedCanaryIsNotABlob(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ck, err := r.Cookie("sessiondata"); err == nil && ck.Value != "Zq81kT0x9b2c4d6e8f0a1b3c" {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, "invalid session: "+ck.Value+"\n")
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "sessiondata", Value: "Zq81kT0x9b2c4d6e8f0a1b3c", Path: "/"})
		_, _ = w.Write([]byte(`{"ok":true}`))
	})
	r := runProofs(t, h, runOpts{})
	if len(r.findings) != 0 {
		t.Fatalf("an echoed canary is not the API's data: %+v", r.findings)
	}
}
