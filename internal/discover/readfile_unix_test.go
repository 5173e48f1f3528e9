//go:build unix

package discover

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const tinySpec = `{"openapi":"3.0.0","info":{"title":"t","version":"1"},"paths":{"/a":{"get":{"responses":{"200":{"description":"ok"}}}}}}`

// --spec /dev/zero passed the os.Stat size check (a device has size 0) and
// was then read without limit until the scanner ran out of memory.
func TestReadSpecFile_DevZeroIsRefusedUnread(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	start := time.Now()
	_, err := readSpecFile(context.Background(), "/dev/zero")
	if err == nil || !strings.Contains(err.Error(), "is a device") {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > time.Second {
		t.Errorf("refusing /dev/zero took %s", time.Since(start))
	}
	app := djangoLike()
	srv := httptest.NewServer(app)
	defer srv.Close()
	if _, err := Run(context.Background(), newClient(t, srv.URL), mustURL(srv.URL+"/"), Options{Spec: "/dev/zero"}); !errors.Is(err, ErrSpec) {
		t.Errorf("Run with --spec /dev/zero: %v", err)
	}
}

func mkfifo(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "spec.fifo")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	return p
}

// A pipe (`--spec <(curl …)`) is read, but only up to MaxSpecBytes.
func TestReadSpecFile_PipeIsReadBounded(t *testing.T) {
	p := mkfifo(t)
	go func() {
		f, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer f.Close()
		_, _ = f.Write([]byte(tinySpec))
	}()
	data, err := readSpecFile(context.Background(), p)
	if err != nil || string(data) != tinySpec {
		t.Fatalf("small pipe: %q, %v", data, err)
	}

	p = mkfifo(t)
	go func() {
		f, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer f.Close()
		chunk := bytes.Repeat([]byte(" "), 1<<20)
		for i := 0; i < 64; i++ { // 64 MiB, far past the bound
			if _, err := f.Write(chunk); err != nil {
				return // the reader stopped
			}
		}
	}()
	if _, err := readSpecFile(context.Background(), p); !errors.Is(err, errTooLarge) {
		t.Fatalf("endless pipe: err = %v", err)
	}
}

// A FIFO nobody writes to must not block the scan: it waits for a writer
// only as long as the context allows.
func TestReadSpecFile_FIFOWithoutWriterDoesNotBlock(t *testing.T) {
	p := mkfifo(t)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := readSpecFile(ctx, p)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("readSpecFile blocked on a FIFO without a writer")
	}
}

// A writer that holds the pipe open without writing is given up on when
// the scan is cancelled.
func TestReadSpecFile_StalledPipeHonoursContext(t *testing.T) {
	p := mkfifo(t)
	// Opened for reading and writing, the FIFO has a writer that never
	// writes (and the open does not wait for a reader).
	w, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		t.Skipf("open FIFO read-write: %v", err)
	}
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := readSpecFile(ctx, p)
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("readSpecFile ignored the cancelled context")
	}
}

// A $ref to a FIFO in the spec's directory blocked the parser for its 30 s
// limit, and then the whole spec was refused. The ref is refused up front
// (one warning, that ref blanked) and the rest of the spec is read.
func TestParseSpec_RefToFIFOIsRefusedWithoutBlocking(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.yaml"), 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ok.yaml"), []byte("name: q\nin: query\nrequired: true\nschema: {type: string, example: hello}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	doc := []byte(`{"openapi":"3.0.0","info":{"title":"t","version":"1"},"paths":{
	  "/a":{"get":{"parameters":[{"$ref":"ok.yaml"}],"responses":{"200":{"$ref":"fifo.yaml"}}}},
	  "/b":{"get":{"parameters":[{"$ref":"fifo.yaml"}],"responses":{"200":{"description":"ok"}}}}}}`)
	start := time.Now()
	spec, err := parseSpec(context.Background(), doc, specSource{dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("parsing took %s", d)
	}
	ops := opsByKey(t, spec, nil)
	if p, ok := param(ops["GET /a"], "query", "q"); !ok || p.Example != "hello" {
		t.Errorf("the regular file's $ref was lost: %+v (warnings %q)", ops["GET /a"], spec.Warnings)
	}
	if _, ok := ops["GET /b"]; !ok {
		t.Errorf("ops = %v", ops)
	}
	n := 0
	for _, w := range spec.Warnings {
		if strings.Contains(w, "fifo.yaml") {
			n++
			if !strings.Contains(w, "not a regular file") {
				t.Errorf("warning = %q", w)
			}
		}
	}
	if n != 1 {
		t.Errorf("want one warning about fifo.yaml: %q", spec.Warnings)
	}

	// Should a FIFO replace a file after the check, opening it still does
	// not block.
	rfs := newRefFS(dir, false)
	defer rfs.close()
	done := make(chan error, 1)
	go func() {
		_, err := rfs.Open("fifo.yaml")
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, errRefRefused) {
			t.Errorf("Open(fifo) = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("refFS.Open blocked on a FIFO")
	}
}
