package discover

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
	"time"
)

// pipeReadTimeout bounds the wait for a --spec pipe to deliver its document.
const pipeReadTimeout = 60 * time.Second

// errTooLarge means a file holds more than MaxSpecBytes.
var errTooLarge = fmt.Errorf("larger than %d MiB", MaxSpecBytes>>20)

// openNoBlock opens a file for reading with O_NONBLOCK: opening a FIFO that
// has no writer then returns at once instead of waiting for one. Reads of a
// regular file are not affected by the flag.
func openNoBlock(open func(name string, flag int, perm fs.FileMode) (*os.File, error), name string) (*os.File, fs.FileInfo, error) {
	f, err := open(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, st, nil
}

// readSpecFile reads the --spec file: a regular file of at most
// MaxSpecBytes, or a pipe (`--spec <(curl …)`), read through the same bound
// and for at most pipeReadTimeout. Devices (/dev/zero, a terminal), sockets
// and directories are refused before anything is read. The size is checked
// on what is read, not on what the file system says: a file may grow.
func readSpecFile(ctx context.Context, name string) ([]byte, error) {
	f, st, err := openNoBlock(os.OpenFile, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	switch m := st.Mode(); {
	case m.IsDir():
		return nil, errors.New("is a directory")
	case m.IsRegular():
		if st.Size() > MaxSpecBytes {
			return nil, errTooLarge
		}
		return readLimited(f)
	case m&fs.ModeNamedPipe != 0:
		return readPipe(ctx, f)
	case m&fs.ModeDevice != 0:
		return nil, errors.New("is a device, not a regular file or a pipe")
	case m&fs.ModeSocket != 0:
		return nil, errors.New("is a socket, not a regular file or a pipe")
	default:
		return nil, errors.New("is not a regular file or a pipe")
	}
}

// readLimited reads r to its end, refusing more than MaxSpecBytes.
func readLimited(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSpecBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxSpecBytes {
		return nil, errTooLarge
	}
	return data, nil
}

// readPipe reads a pipe within readLimited's bound, giving up when ctx ends
// or after pipeReadTimeout; closing the file ends a pending read. Opened
// without blocking, a FIFO whose writer has not arrived yet reads as empty:
// until the first byte, an end of file means "wait for the writer".
func readPipe(ctx context.Context, f *os.File) ([]byte, error) {
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		data, err := readLimited(&waitForWriter{f: f, stop: stop})
		done <- result{data, err}
	}()
	t := time.NewTimer(pipeReadTimeout)
	defer t.Stop()
	select {
	case r := <-done:
		return r.data, r.err
	case <-t.C:
		f.Close()
		return nil, fmt.Errorf("the pipe delivered no complete document within %s", pipeReadTimeout)
	case <-ctx.Done():
		f.Close()
		return nil, ctx.Err()
	}
}

// waitForWriter reads a FIFO opened with O_NONBLOCK, taking an end of file
// before any data for the absence of a writer and waiting for one.
type waitForWriter struct {
	f    *os.File
	stop <-chan struct{}
	got  bool
}

func (w *waitForWriter) Read(p []byte) (int, error) {
	for {
		n, err := w.f.Read(p)
		if n > 0 {
			w.got = true
			return n, err
		}
		if err != io.EOF || w.got {
			return n, err
		}
		select {
		case <-w.stop:
			return 0, io.EOF
		case <-time.After(20 * time.Millisecond):
		}
	}
}
