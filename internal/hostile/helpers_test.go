package hostile

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/report"
	"github.com/parapet-scanner/parapet/internal/report/reporttest"
	"github.com/parapet-scanner/parapet/internal/scan"
)

// smallBudget keeps every hostile scan short and deterministic.
func smallBudget() engine.Budget {
	return engine.Budget{
		MaxRequests:  200,
		Rate:         0,
		Concurrency:  4,
		Timeout:      time.Second,
		MaxDuration:  5 * time.Second,
		MaxBody:      engine.DefaultMaxBody,
		MaxRedirects: engine.DefaultMaxRedirects,
	}
}

// runScan runs the real scan against target with a small budget; edit may
// change the configuration. It fails the test when the scan returns no report.
func runScan(t *testing.T, target string, edit func(*scan.Config)) (*report.Report, time.Duration) {
	t.Helper()
	cfg := scan.Config{Target: target, Budget: smallBudget(), Runtime: scan.Runtime{Version: "test"}}
	if edit != nil {
		edit(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	began := time.Now()
	rep, err := scan.Run(ctx, cfg)
	took := time.Since(began)
	if err != nil && !errors.Is(err, scan.ErrInterrupted) {
		t.Fatalf("scan of %s: %v (after %v)", target, err, took)
	}
	if rep == nil {
		t.Fatalf("scan of %s returned no report", target)
	}
	checkOutputs(t, rep)
	return rep, took
}

// checkOutputs writes both reports: the JSON one must match the schema and
// the text one must carry no control sequence.
func checkOutputs(t *testing.T, rep *report.Report) {
	t.Helper()
	var js bytes.Buffer
	if err := (report.JSON{}).Write(&js, rep); err != nil {
		t.Fatalf("JSON report: %v", err)
	}
	if err := reporttest.Validate(js.Bytes()); err != nil {
		t.Errorf("JSON report does not match the schema: %v", err)
	}
	var txt bytes.Buffer
	if err := (&report.Text{}).Write(&txt, rep); err != nil {
		t.Fatalf("text report: %v", err)
	}
	assertTerminalSafe(t, txt.Bytes())
}

// assertTerminalSafe fails on any byte or rune a terminal would interpret:
// C0 controls but newline and tab, DEL, C1 controls (U+0080-U+009F), invalid
// UTF-8 (a raw 0x9b is a CSI on some terminals), bidi overrides and
// isolates, and line/paragraph separators.
func assertTerminalSafe(t *testing.T, out []byte) {
	t.Helper()
	for i := 0; i < len(out); {
		r, n := utf8.DecodeRune(out[i:])
		bad := ""
		switch {
		case r == utf8.RuneError && n <= 1:
			bad = "invalid UTF-8"
		case r == '\r':
			bad = "CR"
		case r < 0x20 && r != '\n' && r != '\t':
			bad = "C0 control"
		case r == 0x7f:
			bad = "DEL"
		case r >= 0x80 && r <= 0x9f:
			bad = "C1 control"
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
			bad = "bidi control"
		case r == 0x2028 || r == 0x2029:
			bad = "line separator"
		}
		if bad != "" {
			lo, hi := max(0, i-60), min(len(out), i+60)
			t.Errorf("text report carries %s %U at byte %d: %q", bad, r, i, out[lo:hi])
			return
		}
		i += n
	}
}

// sink is a listener on the off-scope host 127.0.0.2 that counts every
// connection it accepts and answers nothing useful.
type sink struct {
	ln    net.Listener
	conns atomic.Int64
	wg    sync.WaitGroup
}

func newSink(t *testing.T) *sink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("cannot bind the off-scope host 127.0.0.2: %v", err)
	}
	s := &sink{ln: ln}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.conns.Add(1)
			_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 14\r\nConnection: close\r\n\r\noff-scope sink")
			_ = c.Close()
		}
	}()
	t.Cleanup(func() { _ = ln.Close(); s.wg.Wait() })
	return s
}

// Addr is host:port of the sink.
func (s *sink) Addr() string { return s.ln.Addr().String() }

func (s *sink) assertUntouched(t *testing.T) {
	t.Helper()
	if n := s.conns.Load(); n != 0 {
		t.Errorf("the off-scope host %s got %d connections", s.Addr(), n)
	}
}

// rawRequest is the head of one request a raw server read.
type rawRequest struct {
	Method, Path string
	Head         string
}

// rawServer is a TCP server on 127.0.0.1 that hands each request to handle
// with the connection, so that handle can write anything: invalid status
// lines, endless chunks, resets. The connection is closed after handle.
type rawServer struct {
	ln     net.Listener
	wg     sync.WaitGroup
	mu     sync.Mutex
	paths  []string
	closed chan struct{}
}

func newRawServer(t *testing.T, handle func(c net.Conn, r rawRequest, done <-chan struct{})) *rawServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &rawServer{ln: ln, closed: make(chan struct{})}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer c.Close()
				_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
				br := bufio.NewReader(c)
				var head strings.Builder
				for head.Len() < 1<<20 {
					line, err := br.ReadString('\n')
					head.WriteString(line)
					if err != nil || line == "\r\n" || line == "\n" {
						break
					}
				}
				first, _, _ := strings.Cut(head.String(), "\r\n")
				parts := strings.SplitN(first, " ", 3)
				if len(parts) < 2 {
					return
				}
				s.mu.Lock()
				s.paths = append(s.paths, parts[1])
				s.mu.Unlock()
				_ = c.SetDeadline(time.Time{})
				handle(c, rawRequest{Method: parts[0], Path: parts[1], Head: head.String()}, s.closed)
			}()
		}
	}()
	t.Cleanup(func() {
		close(s.closed)
		_ = ln.Close()
		s.wg.Wait()
	})
	return s
}

// URL is the server's root URL.
func (s *rawServer) URL() string { return "http://" + s.ln.Addr().String() + "/" }

// Paths returns the request paths seen so far.
func (s *rawServer) Paths() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.paths...)
}

// respond writes one whole HTTP/1.1 response with Connection: close.
func respond(w io.Writer, status, ctype string, headers []string, body []byte) {
	var b bytes.Buffer
	b.WriteString("HTTP/1.1 " + status + "\r\nContent-Type: " + ctype + "\r\nConnection: close\r\n")
	b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n")
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("\r\n")
	b.Write(body)
	_, _ = w.Write(b.Bytes())
}

// hostileText is the escape payload of the security tester: OSC title, SGR,
// OSC 8 hyperlink, clear screen, C1 CSI, CR, backspace and a bidi override.
const hostileText = "\x1b]0;PWNED-TITLE\x07\x1b[31mRED\x1b[0m\x1b]8;;http://evil.example/\x1b\\CLICK\x1b]8;;\x1b\\\x1b[2J\u009b31m\r\x08\u202e"

// everything collects the target-controlled text of a report's findings and
// warnings, for substring assertions.
func everything(rep *report.Report) string {
	var b strings.Builder
	for _, w := range rep.Warnings {
		b.WriteString(w + "\n")
	}
	var js bytes.Buffer
	_ = (report.JSON{}).Write(&js, rep)
	b.Write(js.Bytes())
	return b.String()
}

// runScanRaw runs the scan and returns what it returned, for targets where
// "the scan could not run" is an acceptable answer.
func runScanRaw(t *testing.T, cfg scan.Config) (*report.Report, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep, err := scan.Run(ctx, cfg)
	if err != nil && !errors.Is(err, scan.ErrCannotRun) && !errors.Is(err, scan.ErrInterrupted) {
		t.Fatalf("scan: unexpected error %v", err)
	}
	return rep, err
}

// jsonWriter writes the JSON report.
type jsonWriter struct{}

func (jsonWriter) write(w io.Writer, rep *report.Report) error { return (report.JSON{}).Write(w, rep) }
