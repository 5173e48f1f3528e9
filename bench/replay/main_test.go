package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"
)

func TestRecord_RoundTripKeepsHeadersAndBodyDropsHopHeaders(t *testing.T) {
	in := Record{Method: "POST", Target: "/a?b=1", Body: []byte("x\ty\n"),
		Header: http.Header{"Cookie": {"s=1"}, "Connection": {"close"}}}
	out, err := ParseRecord(FormatRecord(in)[:len(FormatRecord(in))-1])
	if err != nil {
		t.Fatal(err)
	}
	if out.Method != "POST" || out.Target != "/a?b=1" || string(out.Body) != "x\ty\n" ||
		out.Header.Get("Cookie") != "s=1" || out.Header.Get("Connection") != "" {
		t.Fatalf("round trip: %+v", out)
	}
}

func TestParseRecord_RejectsAbsoluteURL(t *testing.T) {
	if _, err := ParseRecord("GET http://127.0.0.2/\t{}"); err == nil {
		t.Fatal("absolute URL accepted")
	}
}

func TestLoopback_RefusesOtherAddresses(t *testing.T) {
	for _, a := range []string{"0.0.0.0:1", "10.0.0.1:80", "example.com:80", "[::1]:80"} {
		if loopback(a) == nil {
			t.Errorf("%s accepted", a)
		}
	}
	if loopback("127.0.0.1:80") != nil {
		t.Error("127.0.0.1 refused")
	}
}

func TestAPIHandler_ServesSpecAndEveryOperation(t *testing.T) {
	srv := httptest.NewServer(APIHandler(5))
	defer srv.Close()
	var doc struct{ Paths map[string]any }
	if err := json.Unmarshal(Spec(5), &doc); err != nil || len(doc.Paths) != 5 {
		t.Fatalf("spec: %v, %d paths", err, len(doc.Paths))
	}
	for path, want := range map[string]int{"/openapi.json": 200, "/": 200, "/r0": 200, "/r0/7": 200, "/r2": 200,
		"/r2/1": 404, "/r3": 404, "/nope": 404} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%s: %d, want %d", path, resp.StatusCode, want)
		}
	}
}

func TestReplay_SendsEveryRecord(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-T") == "1" {
			n.Add(1)
		}
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	recs := make([]Record, 25)
	for i := range recs {
		recs[i] = Record{Method: "GET", Target: "/x", Header: http.Header{"X-T": {"1"}}}
	}
	_, errs := Replay(u, recs, 4, 5*time.Second)
	if errs != 0 || n.Load() != 25 {
		t.Fatalf("errors %d, requests %d (redirects must not be followed)", errs, n.Load())
	}
}
