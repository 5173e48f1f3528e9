// Command replay measures the scanner against the physical limit of a target.
// It has three modes, all bound to 127.0.0.1:
//
//	replay proxy -listen 127.0.0.1:P -target URL -log FILE
//	    a logging reverse proxy: forwards every request to the target and
//	    appends one line per request, "METHOD PATH?QUERY\theaders-json\tbody-base64".
//	replay replay -target URL -log FILE [-c 10]
//	    replays the recorded requests directly against the target with c
//	    workers (net/http, no rate limit, redirects not followed since the
//	    recording holds every hop) and prints "requests wall-seconds errors".
//	replay api -listen 127.0.0.1:P -ops N
//	    serves a generated OpenAPI 3.0 document at /openapi.json with N GET
//	    operations, each answered with a small JSON body.
//
// It is a benchmark helper (bench/overhead.sh, bench/growth.sh), not part of
// the scanner.
package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: replay proxy|replay|api [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "proxy":
		err = runProxy(os.Args[2:])
	case "replay":
		err = runReplay(os.Args[2:])
	case "api":
		err = runAPI(os.Args[2:])
	default:
		err = fmt.Errorf("unknown mode %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "replay:", err)
		os.Exit(1)
	}
}

// loopback refuses any listen or target address outside 127.0.0.0/8.
func loopback(hostport string) error {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return err
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() || ip.To4() == nil {
		return fmt.Errorf("%s: only 127.0.0.0/8 addresses are allowed", hostport)
	}
	return nil
}

// Record is one logged request.
type Record struct {
	Method string
	Target string // path and query, relative to the proxied target
	Header http.Header
	Body   []byte
}

// hop-by-hop and per-connection headers are not recorded.
var skipHeaders = map[string]bool{"Connection": true, "Keep-Alive": true, "Proxy-Connection": true,
	"Te": true, "Trailer": true, "Transfer-Encoding": true, "Upgrade": true, "Content-Length": true}

// FormatRecord renders r as one log line.
func FormatRecord(r Record) string {
	h := http.Header{}
	for k, v := range r.Header {
		if !skipHeaders[http.CanonicalHeaderKey(k)] {
			h[k] = v
		}
	}
	hj, _ := json.Marshal(h)
	return r.Method + " " + r.Target + "\t" + string(hj) + "\t" + base64.StdEncoding.EncodeToString(r.Body) + "\n"
}

// ParseRecord parses one log line written by FormatRecord.
func ParseRecord(line string) (Record, error) {
	parts := strings.SplitN(line, "\t", 3)
	if len(parts) < 2 {
		return Record{}, errors.New("want METHOD URL<TAB>headers-json[<TAB>body-base64]")
	}
	method, target, ok := strings.Cut(parts[0], " ")
	if !ok || method == "" || !strings.HasPrefix(target, "/") {
		return Record{}, fmt.Errorf("bad request line %q", parts[0])
	}
	r := Record{Method: method, Target: target, Header: http.Header{}}
	if err := json.Unmarshal([]byte(parts[1]), &r.Header); err != nil {
		return Record{}, fmt.Errorf("headers: %w", err)
	}
	if len(parts) == 3 && parts[2] != "" {
		b, err := base64.StdEncoding.DecodeString(parts[2])
		if err != nil {
			return Record{}, fmt.Errorf("body: %w", err)
		}
		r.Body = b
	}
	return r, nil
}

func parseTarget(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("target %q: want http://127.0.0.1:PORT", s)
	}
	return u, loopback(u.Host)
}

func runProxy(args []string) error {
	fs := flag.NewFlagSet("proxy", flag.ExitOnError)
	listen := fs.String("listen", "127.0.0.1:0", "listen address")
	target := fs.String("target", "", "target base URL")
	logPath := fs.String("log", "", "request log to append to")
	_ = fs.Parse(args)
	t, err := parseTarget(*target)
	if err != nil {
		return err
	}
	if err := loopback(*listen); err != nil {
		return err
	}
	f, err := os.OpenFile(*logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	var mu sync.Mutex
	rp := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(t)
		pr.Out.Host = t.Host
	}}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 8<<20))
		r.Body = io.NopCloser(bytes.NewReader(body))
		line := FormatRecord(Record{Method: r.Method, Target: r.URL.RequestURI(), Header: r.Header, Body: body})
		mu.Lock()
		_, _ = f.WriteString(line)
		mu.Unlock()
		rp.ServeHTTP(w, r)
	})
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	fmt.Println("http://" + ln.Addr().String() + "/")
	return (&http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}).Serve(ln)
}

func runReplay(args []string) error {
	fs := flag.NewFlagSet("replay", flag.ExitOnError)
	target := fs.String("target", "", "target base URL")
	logPath := fs.String("log", "", "request log written by proxy mode")
	workers := fs.Int("c", 10, "concurrent workers")
	timeout := fs.Duration("timeout", 10*time.Second, "per-request timeout")
	_ = fs.Parse(args)
	t, err := parseTarget(*target)
	if err != nil {
		return err
	}
	recs, err := readLog(*logPath)
	if err != nil {
		return err
	}
	wall, errs := Replay(t, recs, *workers, *timeout)
	fmt.Printf("%d %.3f %d\n", len(recs), wall.Seconds(), errs)
	return nil
}

func readLog(path string) ([]Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var recs []Record
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for n := 1; sc.Scan(); n++ {
		if sc.Text() == "" {
			continue
		}
		r, err := ParseRecord(sc.Text())
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		recs = append(recs, r)
	}
	return recs, sc.Err()
}

// Replay sends recs to base with the given number of workers, reading every
// response body, and returns the wall time and the number of transport errors.
func Replay(base *url.URL, recs []Record, workers int, timeout time.Duration) (time.Duration, int) {
	if workers < 1 {
		workers = 1
	}
	tr := &http.Transport{MaxIdleConnsPerHost: workers, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	jobs := make(chan Record)
	var errs atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range jobs {
				req, err := http.NewRequest(r.Method, base.Scheme+"://"+base.Host+r.Target, bytes.NewReader(r.Body))
				if err != nil {
					errs.Add(1)
					continue
				}
				req.Header = r.Header.Clone()
				if len(r.Body) == 0 {
					req.Body, req.ContentLength = nil, 0
				}
				resp, err := client.Do(req)
				if err != nil {
					errs.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	for _, r := range recs {
		jobs <- r
	}
	close(jobs)
	wg.Wait()
	return time.Since(start), int(errs.Load())
}

func runAPI(args []string) error {
	fs := flag.NewFlagSet("api", flag.ExitOnError)
	listen := fs.String("listen", "127.0.0.1:0", "listen address")
	ops := fs.Int("ops", 1000, "number of operations")
	_ = fs.Parse(args)
	if err := loopback(*listen); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	fmt.Println("http://" + ln.Addr().String() + "/")
	return (&http.Server{Handler: APIHandler(*ops), ReadHeaderTimeout: 10 * time.Second}).Serve(ln)
}

// Spec returns an OpenAPI 3.0 document with n GET operations: even ones list
// a collection /rK (with a limit query parameter), odd ones read one item
// /rK/{id} (integer path parameter).
func Spec(n int) []byte {
	paths := map[string]any{}
	item := map[string]any{"type": "object", "properties": map[string]any{
		"id": map[string]any{"type": "integer"}, "name": map[string]any{"type": "string"}}}
	for i := range n {
		k := i / 2
		op := map[string]any{"operationId": fmt.Sprintf("op%d", i), "responses": map[string]any{
			"200": map[string]any{"description": "ok", "content": map[string]any{"application/json": map[string]any{"schema": item}}}}}
		if i%2 == 0 {
			op["parameters"] = []any{map[string]any{"name": "limit", "in": "query", "schema": map[string]any{"type": "integer"}}}
			paths[fmt.Sprintf("/r%d", k)] = map[string]any{"get": op}
		} else {
			op["parameters"] = []any{map[string]any{"name": "id", "in": "path", "required": true, "schema": map[string]any{"type": "integer"}}}
			paths[fmt.Sprintf("/r%d/{id}", k)] = map[string]any{"get": op}
		}
	}
	b, _ := json.Marshal(map[string]any{"openapi": "3.0.3",
		"info":    map[string]any{"title": "generated", "version": "1.0"},
		"servers": []any{map[string]any{"url": "/"}}, "paths": paths})
	return b
}

// APIHandler serves Spec(n) at /openapi.json, a small index at /, and
// answers the spec's operations.
func APIHandler(n int) http.Handler {
	spec := Spec(n)
	pairs := (n + 1) / 2
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/openapi.json":
			_, _ = w.Write(spec)
			return
		case "/":
			_, _ = w.Write([]byte(`{"name":"generated","openapi":"/openapi.json"}`))
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.WriteHeader(http.StatusMethodNotAllowed)
			_, _ = w.Write([]byte(`{"error":"method not allowed"}`))
			return
		}
		seg := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
		if len(seg) >= 1 && len(seg) <= 2 && strings.HasPrefix(seg[0], "r") {
			k, err := strconv.Atoi(seg[0][1:])
			if err == nil && k >= 0 && k < pairs {
				if len(seg) == 1 {
					_, _ = fmt.Fprintf(w, `[{"id":1,"name":"item %d"}]`, k)
					return
				}
				if id, err := strconv.Atoi(seg[1]); err == nil && (2*k+1 < n) {
					_, _ = fmt.Fprintf(w, `{"id":%d,"name":"item %d"}`, id, k)
					return
				}
			}
		}
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error":"not found"}`))
	})
}
