package deser

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/parapet-scanner/parapet/internal/finding"
)

// TestProof_ControlClassExistence covers the class-existence differential
// on recorded answers: the original pickle gets 200, the truncated blob and
// the canary a generic 500 without any error text, and the control (the
// same document naming builtins.object) decides.
func TestProof_ControlClassExistence(t *testing.T) {
	isControl := func(v string) bool {
		d, err := decodeB64(v)
		return err == nil && bytes.Contains(d, []byte("builtins")) && bytes.Contains(d, []byte("object"))
	}
	ok200 := func(w http.ResponseWriter) { _, _ = w.Write([]byte(`{"user":"alice"}`)) }
	fail500 := func(w http.ResponseWriter) {
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
	}
	tests := []struct {
		name      string
		control   func(w http.ResponseWriter) // the answer to the control
		canary    func(w http.ResponseWriter) // to the canary and the truncated blob
		wantProof string                      // "" for no proven finding
		wantConf  finding.Confidence
		probes    int
	}{
		{"control 200, canary 500: confirmed", ok200, fail500, proofClassExistence, finding.Confirmed, 5},
		{"control 500, canary 500: firm", fail500, fail500, proofDifferential, finding.Firm, 5},
		{"control 302, canary 500: not like the original, firm", func(w http.ResponseWriter) {
			w.Header().Set("Location", "/login")
			w.WriteHeader(http.StatusFound)
		}, fail500, proofDifferential, finding.Firm, 5},
		{"control 200, canary 200: nothing", ok200, ok200, "", finding.Tentative, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runProofs(t, blobCookieApp(func(w http.ResponseWriter, v string) {
				if isControl(v) {
					tt.control(w)
					return
				}
				tt.canary(w)
			}), runOpts{})
			f, ok := r.strongest(pickleKind, finding.InCookie, "profile")
			if !ok || f.Confidence != tt.wantConf {
				t.Fatalf("want %s, got %+v", tt.wantConf, f)
			}
			if tt.wantProof == "" {
				if p := r.proven(); len(p) != 0 {
					t.Fatalf("no difference, no proof: %+v", p)
				}
			} else if f.Details["proof"] != tt.wantProof {
				t.Fatalf("proof %v, want %s", f.Details["proof"], tt.wantProof)
			}
			if n := r.probes(); n > tt.probes {
				t.Errorf("%d probes, want at most %d", n, tt.probes)
			}
			if tt.wantProof != proofClassExistence {
				if _, has := f.Details["control"]; has {
					t.Errorf("a control that was not accepted must not be reported: %v", f.Details)
				}
				return
			}
			if f.Severity != finding.Critical || f.Details["control_class"] != "builtins.object" || f.Details["control_status"] != 200 {
				t.Errorf("severity %s, details %v", f.Severity, f.Details)
			}
			if len(f.Evidence) < 2 || !strings.HasPrefix(f.Evidence[0].Note, "control:") || !strings.HasPrefix(f.Evidence[1].Note, "canary:") {
				t.Fatalf("want the control, then the canary in evidence: %+v", f.Evidence)
			}
			if !strings.Contains(f.Evidence[0].Response, "200") || !strings.Contains(f.Evidence[1].Response, "500") {
				t.Errorf("evidence answers: %q / %q", f.Evidence[0].Response, f.Evidence[1].Response)
			}
			ctl, err := decodeB64(f.Details["control"].(string))
			if err != nil || !bytes.Equal(ctl, []byte("\x80\x04\x8c\x08builtins\x8c\x06object\x93.")) {
				t.Errorf("control %q: want the allow-listed protocol 4 pickle of the blob's protocol", ctl)
			}
			if !strings.Contains(f.Description, "builtins.object") {
				t.Errorf("description must name the control: %s", f.Description)
			}
		})
	}
}

// rubySessionToken is Marshal.dump of a ShopSession with @id and @user, as
// Base64.urlsafe_encode64 writes it (Ruby 3.1).
const rubySessionToken = "BAhvOhBTaG9wU2Vzc2lvbgc6CEBpZEkiFTU2NDgzZTdmMDFiZDAxNTQGOgZFVDoKQHVzZXJJIghhZGEGOwdU"

// rubyGenericApp imitates labs/ruby-marshal: the session travels in the
// X-Session-Token header and comes back in the response header and JSON;
// Marshal.load failures are a generic 500; a loaded object that is not a
// ShopSession becomes a new guest session (200).
func rubyGenericApp(fixed bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if v := r.Header.Get("X-Session-Token"); v != "" && v != rubySessionToken {
			if fixed {
				w.WriteHeader(http.StatusBadRequest)
				_, _ = w.Write([]byte(`{"error":"bad request"}`))
				return
			}
			d, err := base64.URLEncoding.DecodeString(v)
			if err != nil {
				d, err = base64.RawURLEncoding.DecodeString(v)
			}
			ok := err == nil && len(d) > 5 && d[0] == 4 && d[1] == 8
			if ok && d[2] == 'o' && d[3] == ':' {
				n := int(d[4]) - 5
				ok = n > 0 && 5+n <= len(d) && (string(d[5:5+n]) == "Object" || string(d[5:5+n]) == "ShopSession")
			}
			if !ok {
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write([]byte(`{"error":"internal server error"}`))
				return
			}
		}
		w.Header().Set("X-Session-Token", rubySessionToken)
		_, _ = w.Write([]byte(`{"user":"ada","session_token":"` + rubySessionToken + `"}`))
	})
}

// TestProof_RubyMarshalGeneric500_ControlConfirms: Marshal.dump(Object.new)
// accepted, ParapetCanary<t> failing: confirmed; the fixed variant, which
// answers 400 to everything it did not sign, gives no proof.
func TestProof_RubyMarshalGeneric500_ControlConfirms(t *testing.T) {
	r := runProofs(t, rubyGenericApp(false), runOpts{path: "/api/session"})
	var got *finding.Finding
	for _, f := range r.proven() {
		if f.Check == "deserialization/ruby-marshal" {
			f := f
			got = &f
		}
	}
	if got == nil || got.Confidence != finding.Confirmed || got.Details["proof"] != proofClassExistence {
		t.Fatalf("want a confirmed class-existence proof: %+v", r.findings)
	}
	if got.Details["control"] != "BAhvOgtPYmplY3QA" {
		t.Errorf("control %v, want Marshal.dump(Object.new) in the blob's encoding", got.Details["control"])
	}
	fixed := runProofs(t, rubyGenericApp(true), runOpts{path: "/api/session"})
	if p := fixed.proven(); len(p) != 0 {
		t.Fatalf("the fixed variant must not be proven: %+v", p)
	}
}

// TestProof_4xxBaselineIsNoDifferential guards the plain differential: an
// original value that already gets a 4xx was refused before any
// deserializer, so 500s for the canary and the cut blob prove nothing.
func TestProof_4xxBaselineIsNoDifferential(t *testing.T) {
	for _, status := range []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden} {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if ck, err := r.Cookie("profile"); err == nil {
				if ck.Value == samplePickle {
					w.WriteHeader(status)
					return
				}
				http.Error(w, "Internal Server Error", http.StatusInternalServerError)
				return
			}
			http.SetCookie(w, &http.Cookie{Name: "profile", Value: samplePickle, Path: "/"})
			_, _ = w.Write([]byte(`{"user":"alice"}`))
		})
		r := runProofs(t, h, runOpts{})
		if p := r.proven(); len(p) != 0 {
			t.Errorf("baseline %d: a differential was reported: %+v", status, p)
		}
	}
}

// TestProof_CachedControlIsIgnored guards the control against caches: the
// baseline and the control ask for a fresh answer, and a control answer a
// cache served (Age > 0, X-Cache or CF-Cache-Status HIT) decides nothing.
func TestProof_CachedControlIsIgnored(t *testing.T) {
	isControl := func(v string) bool {
		d, err := decodeB64(v)
		return err == nil && bytes.Contains(d, []byte("builtins")) && bytes.Contains(d, []byte("object"))
	}
	for _, hdr := range [][2]string{{"Age", "120"}, {"X-Cache", "Hit from cloudfront"}, {"CF-Cache-Status", "HIT"}} {
		r := runProofs(t, blobCookieApp(func(w http.ResponseWriter, v string) {
			if isControl(v) {
				w.Header().Set(hdr[0], hdr[1])
				_, _ = w.Write([]byte(`{"user":"alice"}`))
				return
			}
			http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		}), runOpts{})
		f, ok := r.strongest(pickleKind, finding.InCookie, "profile")
		if !ok || f.Confidence != finding.Firm || f.Details["proof"] != proofDifferential {
			t.Errorf("%s: a cached control must not confirm: %+v", hdr[0], f)
		}
		fresh := 0
		for _, ex := range r.client.Exchanges() {
			if ex.Check != "deserialization" {
				continue
			}
			ck := ex.RequestHeader.Get("Cookie")
			isBase := strings.Contains(ck, samplePickle)
			isCtl := false
			if i := strings.Index(ck, "profile="); i >= 0 {
				isCtl = isControl(strings.SplitN(ck[i+len("profile="):], ";", 2)[0])
			}
			if isBase || isCtl {
				if ex.RequestHeader.Get("Cache-Control") != "no-cache" || ex.RequestHeader.Get("Pragma") != "no-cache" {
					t.Errorf("%s: baseline/control sent without no-cache: %v", hdr[0], ex.RequestHeader)
				}
				fresh++
			}
		}
		if fresh < 2 {
			t.Errorf("%s: saw %d baseline/control requests, want 2", hdr[0], fresh)
		}
	}
}

// TestProof_JavaSerialFilterRejectsControl_Firm guards the Java proof
// against a JEP 290 allow-list: ObjectInputStream reports the canary's
// class missing before the filter sees it, but the filter rejects the
// control's java.util.ArrayList, so the finding is high and firm with a
// note, not critical.
func TestProof_JavaSerialFilterRejectsControl_Firm(t *testing.T) {
	const sample = "rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcAUH2sHDFmDRAwACRgAKbG9hZEZhY3RvckkACXRocmVzaG9sZHhwP0AAAAAAAAB3CAAAABAAAAAAeA=="
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if v := r.Header.Get("X-Session-State"); v != "" && v != sample {
			d, err := base64.StdEncoding.DecodeString(v)
			if err != nil || len(d) < 8 {
				http.Error(w, "java.io.StreamCorruptedException: invalid stream header", http.StatusInternalServerError)
				return
			}
			n := int(d[6])<<8 | int(d[7])
			if 8+n > len(d) {
				http.Error(w, "java.io.EOFException", http.StatusInternalServerError)
				return
			}
			switch cls := string(d[8 : 8+n]); cls {
			case "java.util.HashMap":
			case "java.util.ArrayList":
				http.Error(w, "java.io.InvalidClassException: filter status: REJECTED", http.StatusInternalServerError)
				return
			default:
				http.Error(w, "java.lang.ClassNotFoundException: "+cls, http.StatusInternalServerError)
				return
			}
		}
		w.Header().Set("X-Session-State", sample)
		_, _ = w.Write([]byte(`{"cart":[]}`))
	})
	r := runProofs(t, h, runOpts{})
	f, ok := r.strongest("deserialization/java-serialization", finding.InHeader, "X-Session-State")
	if !ok || f.Confidence != finding.Firm || f.Severity != finding.High || f.Details["proof"] != proofFiltered {
		t.Fatalf("want a high firm serial-filter finding: %+v", f)
	}
	if note, _ := f.Details["note"].(string); !strings.Contains(note, "serial filter") {
		t.Errorf("the note must say a serial filter is in place: %v", f.Details)
	}
	for _, p := range r.proven() {
		if p.Confidence == finding.Confirmed {
			t.Errorf("nothing may be confirmed behind a serial filter: %+v", p)
		}
	}
}
