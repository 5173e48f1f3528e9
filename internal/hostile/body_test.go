package hostile

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parapet-scanner/parapet/internal/scan"
)

// bomb compresses n zero bytes with the encoding enc.
func bomb(t *testing.T, n int, enc string) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser
	switch enc {
	case "gzip":
		w, _ = gzip.NewWriterLevel(&buf, gzip.BestCompression)
	case "deflate":
		w, _ = flate.NewWriter(&buf, flate.BestCompression)
	}
	chunk := make([]byte, 1<<20)
	for i := 0; i < n>>20; i++ {
		_, _ = w.Write(chunk)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The engine asks for gzip only; a deflate body it did not ask for is kept
// compressed, which is capped all the same.
func TestHostile_CompressionBombIsCappedByMaxBody(t *testing.T) {
	const maxBody = 64 << 10
	for _, enc := range []string{"gzip", "deflate"} {
		t.Run(enc, func(t *testing.T) {
			payload := bomb(t, 8<<20, enc) // 8 MiB of zeros in ~8 KiB, 128 times max-body
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Encoding", enc)
				_, _ = w.Write(payload)
			}))
			defer srv.Close()
			rep, _ := runScan(t, srv.URL+"/", func(c *scan.Config) {
				c.Budget.MaxBody = maxBody
				c.Budget.MaxRequests = 60
			})
			st := rep.Stats
			t.Logf("stats %+v", st)
			if st.Requests == 0 {
				t.Fatal("no request sent")
			}
			if enc == "gzip" && st.BytesRead < maxBody {
				t.Errorf("bytes_read = %d: no gzip body was inflated up to the cap, the test proves nothing", st.BytesRead)
			}
			if limit := st.Requests * (maxBody + 1024); st.BytesRead > limit {
				t.Errorf("bytes_read = %d for %d requests, above max-body %d each", st.BytesRead, st.Requests, maxBody)
			}
		})
	}
}

// endlessBody streams a response that never ends until the test ends or the
// client goes away.
func TestHostile_EndlessChunkedBodyIsCutAndCapped(t *testing.T) {
	const maxBody = 128 << 10
	srv := newRawServer(t, func(c net.Conn, r rawRequest, done <-chan struct{}) {
		_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n")
		chunk := []byte(strings.Repeat("<a href='/x'>", 2000))
		for {
			select {
			case <-done:
				return
			default:
			}
			_ = c.SetWriteDeadline(time.Now().Add(2 * time.Second))
			if _, err := fmt.Fprintf(c, "%x\r\n%s\r\n", len(chunk), chunk); err != nil {
				return
			}
		}
	})
	rep, took := runScan(t, srv.URL(), func(c *scan.Config) {
		c.Budget.MaxBody = maxBody
		c.Budget.MaxRequests = 40
		c.Budget.Timeout = 500 * time.Millisecond
	})
	st := rep.Stats
	if st.Requests == 0 {
		t.Fatal("no request sent")
	}
	if st.BytesRead > st.Requests*(maxBody+4096) {
		t.Errorf("bytes_read = %d for %d requests, above max-body %d each", st.BytesRead, st.Requests, maxBody)
	}
	if took > 15*time.Second {
		t.Errorf("scan took %v", took)
	}
}

func TestHostile_LargeStreamedBodyIsCappedByMaxBody(t *testing.T) {
	const maxBody = 256 << 10
	var served atomic.Int64
	srv := newRawServer(t, func(c net.Conn, r rawRequest, done <-chan struct{}) {
		// announces 1 GiB and streams until the client stops reading
		_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n")
		chunk := bytes.Repeat([]byte(" "), 64<<10)
		for sent := 0; sent < 64<<20; sent += len(chunk) {
			select {
			case <-done:
				return
			default:
			}
			_ = c.SetWriteDeadline(time.Now().Add(2 * time.Second))
			if _, err := c.Write(chunk); err != nil {
				return
			}
			served.Add(int64(len(chunk)))
		}
	})
	rep, _ := runScan(t, srv.URL(), func(c *scan.Config) {
		c.Budget.MaxBody = maxBody
		c.Budget.MaxRequests = 40
	})
	st := rep.Stats
	if st.Requests == 0 {
		t.Fatal("no request sent")
	}
	if st.BytesRead > st.Requests*(maxBody+4096) {
		t.Errorf("bytes_read = %d for %d requests, above max-body %d each", st.BytesRead, st.Requests, maxBody)
	}
	t.Logf("stats %+v; server pushed %d bytes", st, served.Load())
}

func TestHostile_SlowDripHeadersAreCutByTimeout(t *testing.T) {
	t.Parallel() // waits on timers, not the CPU
	srv := newRawServer(t, func(c net.Conn, r rawRequest, done <-chan struct{}) {
		msg := []byte("HTTP/1.1 200 OK\r\nX-A: " + strings.Repeat("a", 1000))
		for _, b := range msg {
			select {
			case <-done:
				return
			case <-time.After(50 * time.Millisecond):
			}
			if _, err := c.Write([]byte{b}); err != nil {
				return
			}
		}
	})
	began := time.Now()
	cfg := scan.Config{Target: srv.URL(), Budget: smallBudget(), Runtime: scan.Runtime{Version: "test"}}
	cfg.Budget.Timeout = 300 * time.Millisecond
	cfg.Budget.MaxDuration = 3 * time.Second
	rep, err := runScanRaw(t, cfg)
	took := time.Since(began)
	if took > cfg.Budget.MaxDuration+3*time.Second {
		t.Errorf("scan took %v with a 300ms timeout", took)
	}
	if rep != nil {
		checkOutputs(t, rep)
	}
	// A root that never answers is a scan that cannot run, or a report with errors.
	if rep == nil && err == nil {
		t.Fatal("no report and no error")
	}
	if rep != nil && rep.Stats.Errors == 0 && !rep.Stats.TargetFailing {
		t.Errorf("no error counted for a target that never answered: %+v", rep.Stats)
	}
	t.Logf("err=%v took=%v", err, took)
}

func TestHostile_SlowDripBodyIsCutByTimeout(t *testing.T) {
	t.Parallel() // waits on timers, not the CPU
	srv := newRawServer(t, func(c net.Conn, r rawRequest, done <-chan struct{}) {
		_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n")
		for {
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
			if _, err := c.Write([]byte("a")); err != nil {
				return
			}
		}
	})
	began := time.Now()
	cfg := scan.Config{Target: srv.URL(), Budget: smallBudget(), Runtime: scan.Runtime{Version: "test"}}
	cfg.Budget.Timeout = 300 * time.Millisecond
	cfg.Budget.MaxDuration = 1500 * time.Millisecond
	rep, err := runScanRaw(t, cfg)
	took := time.Since(began)
	if took > cfg.Budget.MaxDuration+3*time.Second {
		t.Errorf("scan took %v with a 300ms timeout", took)
	}
	if rep == nil {
		t.Fatalf("no report: %v", err)
	}
	checkOutputs(t, rep)
	if !rep.Stats.DurationExceeded && rep.Stats.Errors == 0 && rep.Stats.BytesRead == 0 {
		t.Errorf("a dripping body left no trace in the stats: %+v", rep.Stats)
	}
	t.Logf("stats %+v in %v", rep.Stats, took)
}

func TestHostile_HugeHeadersDoNotBreakTheScan(t *testing.T) {
	for name, head := range map[string]string{
		"big values":  strings.Repeat("X-H: "+strings.Repeat("v", 1000)+"\r\n", 250),
		"many tiny":   strings.Repeat("A: 1\r\n", 40000),
		"cookie bomb": strings.Repeat("Set-Cookie: sessionid=0123456789abcdef0123456789abcdef\r\n", 4000),
	} {
		t.Run(name, func(t *testing.T) {
			srv := newRawServer(t, func(c net.Conn, r rawRequest, done <-chan struct{}) {
				_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n"+head+"\r\n{}")
			})
			cfg := scan.Config{Target: srv.URL(), Budget: smallBudget(), Runtime: scan.Runtime{Version: "test"}}
			cfg.Budget.MaxRequests = 60
			rep, err := runScanRaw(t, cfg)
			if rep != nil {
				checkOutputs(t, rep)
			}
			t.Logf("err=%v", err)
		})
	}
}

func TestHostile_InvalidStatusLineIsAnErrorNotACrash(t *testing.T) {
	srv := newRawServer(t, func(c net.Conn, r rawRequest, done <-chan struct{}) {
		_, _ = io.WriteString(c, "HTTP/1.1 9999999999 "+hostileText+"\r\nContent-Length: 0\r\n\r\n")
	})
	rep, err := runScanRaw(t, scan.Config{Target: srv.URL(), Budget: smallBudget(), Runtime: scan.Runtime{Version: "test"}})
	if rep != nil {
		checkOutputs(t, rep)
	}
	if err != nil {
		assertTerminalSafe(t, []byte(err.Error()))
	}
	if rep == nil && err == nil {
		t.Fatal("no report and no error")
	}
}

func TestHostile_InvalidChunkSizeIsAnError(t *testing.T) {
	srv := newRawServer(t, func(c net.Conn, r rawRequest, done <-chan struct{}) {
		_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"+
			"5\r\nhello\r\nffffffffffffffffffff\r\nxx\r\n")
	})
	rep, err := runScanRaw(t, scan.Config{Target: srv.URL(), Budget: smallBudget(), Runtime: scan.Runtime{Version: "test"}})
	if rep != nil {
		checkOutputs(t, rep)
	}
	if rep == nil && err == nil {
		t.Fatal("no report and no error")
	}
}

// reset closes the connection with SO_LINGER 0, so that the client gets a RST.
func reset(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Close()
}

func TestHostile_ConnectionResetAfterRootIsCounted(t *testing.T) {
	t.Parallel() // waits on timers, not the CPU
	srv := newRawServer(t, func(c net.Conn, r rawRequest, done <-chan struct{}) {
		if r.Path == "/" {
			var b strings.Builder
			b.WriteString("<html>")
			for i := 0; i < 50; i++ {
				fmt.Fprintf(&b, `<a href="/p%d">x</a>`, i)
			}
			respond(c, "200 OK", "text/html", nil, []byte(b.String()+"</html>"))
			return
		}
		reset(c)
	})
	rep, took := runScan(t, srv.URL(), nil)
	if rep.Stats.Errors == 0 && !rep.Stats.TargetFailing {
		t.Errorf("resets were not counted: %+v", rep.Stats)
	}
	if took > 10*time.Second {
		t.Errorf("scan took %v", took)
	}
}

func TestHostile_ConnectionResetOnEveryRequestEnds(t *testing.T) {
	srv := newRawServer(t, func(c net.Conn, r rawRequest, done <-chan struct{}) { reset(c) })
	began := time.Now()
	rep, err := runScanRaw(t, scan.Config{Target: srv.URL(), Budget: smallBudget(), Runtime: scan.Runtime{Version: "test"}})
	if rep != nil {
		checkOutputs(t, rep)
	}
	if rep == nil && err == nil {
		t.Fatal("no report and no error")
	}
	if took := time.Since(began); took > 10*time.Second {
		t.Errorf("scan took %v", took)
	}
}

func TestHostile_ConnectionRefusedAfterRootEnds(t *testing.T) {
	t.Parallel() // waits on timers, not the CPU
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var served atomic.Int64
	go func() {
		// answers the root once, then the port is closed: every other
		// request is refused.
		c, err := ln.Accept()
		if err != nil {
			return
		}
		buf := make([]byte, 4096)
		_, _ = c.Read(buf)
		var b strings.Builder
		for i := 0; i < 30; i++ {
			fmt.Fprintf(&b, `<a href="/p%d">x</a>`, i)
		}
		respond(c, "200 OK", "text/html", nil, []byte("<html>"+b.String()+"</html>"))
		served.Add(1)
		_ = c.Close()
		_ = ln.Close()
	}()
	t.Cleanup(func() { _ = ln.Close() })
	began := time.Now()
	rep, err := runScanRaw(t, scan.Config{Target: "http://" + ln.Addr().String() + "/", Budget: smallBudget(), Runtime: scan.Runtime{Version: "test"}})
	took := time.Since(began)
	if took > 10*time.Second {
		t.Errorf("scan took %v", took)
	}
	if rep == nil {
		t.Fatalf("no report: %v", err)
	}
	checkOutputs(t, rep)
	if served.Load() == 1 && rep.Stats.Errors == 0 && !rep.Stats.TargetFailing {
		t.Errorf("refused connections were not counted: %+v", rep.Stats)
	}
	t.Logf("stats %+v in %v", rep.Stats, took)
}

func TestHostile_ServerErrorOnEverythingEnds(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "error", http.StatusInternalServerError)
	}))
	defer srv.Close()
	rep, took := runScan(t, srv.URL+"/", nil)
	// A 500 is an answer, not a transport error: the engine does not count
	// it as one, but the report must say the start URL failed.
	warned := false
	for _, w := range rep.Warnings {
		warned = warned || strings.Contains(w, "HTTP 500")
	}
	if !warned {
		t.Errorf("no warning that the start URL answered 500: %q", rep.Warnings)
	}
	if rep.Stats.Requests == 0 || rep.Stats.Requests > int64(smallBudget().MaxRequests) {
		t.Errorf("requests = %d, want between 1 and the budget", rep.Stats.Requests)
	}
	if took > 10*time.Second {
		t.Errorf("scan took %v", took)
	}
	t.Logf("stats %+v", rep.Stats)
}
