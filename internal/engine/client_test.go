package engine

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func newClient(t *testing.T, srvURL string, mod func(*Options)) *Client {
	t.Helper()
	u, _ := url.Parse(srvURL)
	o := Options{Scope: Scope{Hosts: []string{u.Hostname()}}, Budget: Budget{Rate: 0}, UserAgent: "parapet/test"}
	if mod != nil {
		mod(&o)
	}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestMethodPolicy(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	tests := []struct {
		method  string
		llm     bool
		active  bool
		allowed bool
	}{
		{"GET", false, false, true},
		{"HEAD", false, false, true},
		{"OPTIONS", false, false, true},
		{"POST", false, false, false},
		{"POST", true, false, true},
		{"PUT", false, false, false},
		{"PATCH", false, false, false},
		{"POST", false, true, true},
		{"PUT", false, true, true},
		{"PATCH", false, true, true},
		{"DELETE", false, true, false},
		{"DELETE", false, false, false},
		{"TRACE", false, true, false},
		{"CONNECT", false, true, false},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s llm=%v active=%v", tc.method, tc.llm, tc.active), func(t *testing.T) {
			c := newClient(t, srv.URL, func(o *Options) { o.Active = tc.active })
			before := hits.Load()
			_, err := c.Do(context.Background(), Request{Method: tc.method, URL: srv.URL + "/x", LLMChat: tc.llm})
			sent := hits.Load() > before
			if tc.allowed && (err != nil || !sent) {
				t.Fatalf("want sent, got err=%v sent=%v", err, sent)
			}
			if !tc.allowed && (!errors.Is(err, ErrMethodNotAllowed) || sent) {
				t.Fatalf("want refused, got err=%v sent=%v", err, sent)
			}
		})
	}
}

func TestScope_OffScopeHostGetsNoRequest(t *testing.T) {
	c := newClient(t, "http://127.0.0.1:1/", nil)
	_, err := c.Do(context.Background(), Request{URL: "http://127.0.0.2:9/secret"})
	if !errors.Is(err, ErrOutOfScope) {
		t.Fatalf("want ErrOutOfScope, got %v", err)
	}
	if c.Stats().Requests != 0 || c.Stats().Refused != 1 {
		t.Fatalf("stats = %+v", c.Stats())
	}
}

func TestScope_ExcludePath(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	c := newClient(t, srv.URL, func(o *Options) { o.Scope.ExcludePaths = []string{"/admin/**", "/*.php"} })
	for _, p := range []string{"/admin", "/admin/users", "/index.php", "/Admin/users", "/ADMIN/x",
		"/admin;jsessionid=1/users", "/admin./users", "/x/../admin/users", "//admin/users"} {
		if _, err := c.Do(context.Background(), Request{URL: srv.URL + p}); !errors.Is(err, ErrOutOfScope) {
			t.Errorf("%s: want ErrOutOfScope, got %v", p, err)
		}
	}
	if _, err := c.Do(context.Background(), Request{URL: srv.URL + "/administrator"}); err != nil {
		t.Errorf("/administrator must stay in scope: %v", err)
	}
}

func TestScope_BadScheme(t *testing.T) {
	c := newClient(t, "http://127.0.0.1/", nil)
	for _, u := range []string{"file:///etc/passwd", "gopher://127.0.0.1/", "://x", ""} {
		if _, err := c.Do(context.Background(), Request{URL: u}); !errors.Is(err, ErrBadURL) {
			t.Errorf("%q: want ErrBadURL, got %v", u, err)
		}
	}
}

func TestRedirects_OffScopeNotFollowed(t *testing.T) {
	var offHits atomic.Int64
	off := &http.Server{Handler: http.HandlerFunc(func(http.ResponseWriter, *http.Request) { offHits.Add(1) })}
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("127.0.0.2 not available: %v", err)
	}
	go func() { _ = off.Serve(ln) }()
	defer off.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://"+ln.Addr().String()+"/steal", http.StatusFound)
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, nil)
	ex, err := c.Do(context.Background(), Request{URL: srv.URL + "/"})
	if err != nil {
		t.Fatal(err)
	}
	if ex.Status != http.StatusFound || ex.OffScopeTarget == "" {
		t.Fatalf("want the 302 back with the off-scope target noted, got %d %q", ex.Status, ex.OffScopeTarget)
	}
	if offHits.Load() != 0 {
		t.Fatal("the off-scope host got a request")
	}
}

func TestRedirects_LoopStopsAtFive(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, "/loop", http.StatusFound)
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, func(o *Options) { o.Budget.MaxRedirects = 5 })
	ex, err := c.Do(context.Background(), Request{URL: srv.URL + "/loop"})
	if err != nil {
		t.Fatal(err)
	}
	if ex.Status != http.StatusFound {
		t.Fatalf("status %d", ex.Status)
	}
	if got := hits.Load(); got != 6 {
		t.Fatalf("server saw %d requests, want 6 (1 + 5 redirects)", got)
	}
	st := c.Stats()
	if st.RedirectsFollowed != 5 || st.Requests != 6 {
		t.Fatalf("stats = %+v", st)
	}
}

func TestBudget_MaxRequests(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	c := newClient(t, srv.URL, func(o *Options) { o.Budget.MaxRequests = 3 })
	var wg sync.WaitGroup
	var refused atomic.Int64
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Do(context.Background(), Request{URL: srv.URL}); errors.Is(err, ErrBudgetExhausted) {
				refused.Add(1)
			}
		}()
	}
	wg.Wait()
	if hits.Load() != 3 || refused.Load() != 7 || !c.Stats().BudgetExhausted {
		t.Fatalf("hits=%d refused=%d stats=%+v", hits.Load(), refused.Load(), c.Stats())
	}
	if len(c.Warnings()) != 1 {
		t.Fatalf("warnings = %v", c.Warnings())
	}
}

func TestBody_CapAppliesAfterDecompression(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(bytes.Repeat([]byte("A"), 8<<20)) // 8 MiB of A from 8 KiB on the wire: a small gzip bomb
	_ = zw.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(gz.Bytes())
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, func(o *Options) { o.Budget.MaxBody = 1 << 20 })
	ex, err := c.Do(context.Background(), Request{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if len(ex.Body) != 1<<20 || !ex.BodyTruncated {
		t.Fatalf("body %d bytes, truncated=%v", len(ex.Body), ex.BodyTruncated)
	}
	if c.Stats().BytesRead != 1<<20 {
		t.Fatalf("bytes_read = %d", c.Stats().BytesRead)
	}
}

func TestThrottle_RetryAfterHonoured(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()
	var slept []time.Duration
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := newClient(t, srv.URL, func(o *Options) {
		o.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		o.Sleep = func(_ context.Context, d time.Duration) error {
			mu.Lock()
			defer mu.Unlock()
			if d > 0 {
				slept = append(slept, d)
				now = now.Add(d)
			}
			return nil
		}
	})
	ex, err := c.Do(context.Background(), Request{URL: srv.URL})
	if err != nil || ex.Status != 200 {
		t.Fatalf("want 200 after retry, got %v %v", ex, err)
	}
	if len(slept) == 0 || slept[0] != 7*time.Second {
		t.Fatalf("slept %v, want 7s first", slept)
	}
	if c.Stats().Throttled != 1 || c.Stats().Requests != 2 {
		t.Fatalf("stats = %+v", c.Stats())
	}
}

func TestErrorSurge_StopsSending(t *testing.T) {
	var dials atomic.Int64
	c := newClient(t, "http://127.0.0.1:9/", func(o *Options) {
		o.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
		}
		o.Sleep = func(context.Context, time.Duration) error { return nil }
	})
	var lastErr error
	for i := 0; i < 40; i++ {
		_, lastErr = c.Do(context.Background(), Request{URL: "http://127.0.0.1:9/x"})
	}
	if !errors.Is(lastErr, ErrTargetFailing) {
		t.Fatalf("want ErrTargetFailing after a surge, got %v", lastErr)
	}
	if d := dials.Load(); d != errorSurgeStop {
		t.Fatalf("dialled %d times, want %d", d, errorSurgeStop)
	}
	if !c.Stats().TargetFailing {
		t.Fatal("stats must say the target kept failing")
	}
}

func TestDuration_BudgetStopsScan(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	c := newClient(t, srv.URL, func(o *Options) {
		o.Budget.MaxDuration = time.Minute
		o.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	})
	if _, err := c.Do(context.Background(), Request{URL: srv.URL}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()
	if _, err := c.Do(context.Background(), Request{URL: srv.URL}); !errors.Is(err, ErrDurationExceeded) {
		t.Fatalf("want ErrDurationExceeded, got %v", err)
	}
	if !c.Stats().DurationExceeded {
		t.Fatal("stats must record the duration budget")
	}
}

func TestUserAgentAndHeaders(t *testing.T) {
	got := make(chan http.Header, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got <- r.Header.Clone() }))
	defer srv.Close()
	c := newClient(t, srv.URL, func(o *Options) {
		o.UserAgent = "parapet/v1.2.3"
		o.Headers = http.Header{"Authorization": {"Bearer s3cr3t"}}
	})
	if _, err := c.Do(context.Background(), Request{URL: srv.URL, Header: http.Header{"X-Probe": {"1"}}}); err != nil {
		t.Fatal(err)
	}
	h := <-got
	if h.Get("User-Agent") != "parapet/v1.2.3" || h.Get("Authorization") != "Bearer s3cr3t" || h.Get("X-Probe") != "1" {
		t.Fatalf("headers = %v", h)
	}
}

func TestTimeout_SlowBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		for i := 0; i < 100; i++ {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(50 * time.Millisecond):
				_, _ = w.Write([]byte("x"))
				w.(http.Flusher).Flush()
			}
		}
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, func(o *Options) { o.Budget.Timeout = 200 * time.Millisecond })
	start := time.Now()
	ex, _ := c.Do(context.Background(), Request{URL: srv.URL})
	if time.Since(start) > 3*time.Second {
		t.Fatal("slow body was not cut off by the per-request timeout")
	}
	if ex == nil || ex.Status != 200 || !ex.BodyTruncated {
		t.Fatalf("want the partial body marked truncated, got %+v", ex)
	}
}

func TestExchangeLog_BodiesCapped(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(strings.Repeat("b", LoggedBodyBytes*3)))
	}))
	defer srv.Close()
	var observed int
	c := newClient(t, srv.URL, func(o *Options) { o.Observe = func(ex *Exchange) { observed = len(ex.Body) } })
	if _, err := c.Do(context.Background(), Request{URL: srv.URL}); err != nil {
		t.Fatal(err)
	}
	if observed != LoggedBodyBytes*3 {
		t.Fatalf("observer saw %d bytes, want the whole body", observed)
	}
	log := c.Exchanges()
	if len(log) != 1 || len(log[0].Body) != LoggedBodyBytes {
		t.Fatalf("log body = %d bytes", len(log[0].Body))
	}
}

func TestDescribeNetError(t *testing.T) {
	dns := &net.DNSError{Err: "no such host", Name: "api.invalid", IsNotFound: true}
	if got := DescribeNetError(&url.Error{Op: "Get", URL: "http://api.invalid", Err: &net.OpError{Op: "dial", Err: dns}}); !strings.Contains(got, "DNS") {
		t.Fatalf("got %q", got)
	}
}

func TestScope_SpecHostOnlyForSpecRequests(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	c := newClient(t, "http://127.0.0.9/", func(o *Options) { o.Scope.SpecHosts = []string{u.Host} })
	if _, err := c.Do(context.Background(), Request{URL: srv.URL + "/openapi.json"}); !errors.Is(err, ErrOutOfScope) {
		t.Fatalf("an ordinary request to the spec host must be refused, got %v", err)
	}
	if _, err := c.Do(context.Background(), Request{URL: srv.URL + "/openapi.json", Spec: true}); err != nil {
		t.Fatalf("the spec fetch must be allowed: %v", err)
	}
	if hits.Load() != 1 {
		t.Fatalf("spec host got %d requests, want 1", hits.Load())
	}
}

func TestThrottle_ResponseKeptWhenNoTimeToRetry(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, func(o *Options) {
		o.Budget.MaxDuration = 2 * time.Second
		o.Sleep = func(context.Context, time.Duration) error { return nil }
	})
	ex, err := c.Do(context.Background(), Request{URL: srv.URL})
	if err != nil || ex == nil || ex.Status != http.StatusTooManyRequests {
		t.Fatalf("want the 429 back, got %v, %v", ex, err)
	}
	if c.Stats().Requests != 1 || c.Stats().Throttled != 1 {
		t.Fatalf("stats = %+v", c.Stats())
	}
}

func TestExchangeLog_DoesNotPinFullBodiesOrHeaders(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Big", strings.Repeat("h", 200<<10))
		_, _ = w.Write(bytes.Repeat([]byte("b"), 1<<20))
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, nil)
	if _, err := c.Do(context.Background(), Request{URL: srv.URL}); err != nil {
		t.Fatal(err)
	}
	ex := c.Exchanges()[0]
	if cap(ex.Body) > LoggedBodyBytes {
		t.Fatalf("logged body keeps a %d-byte backing array", cap(ex.Body))
	}
	if n := len(ex.Header.Get("X-Big")); n > loggedHeaderValueBytes {
		t.Fatalf("logged header value is %d bytes", n)
	}
}
