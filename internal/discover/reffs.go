package discover

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sync"
	"time"

	"github.com/pb33f/libopenapi/index"
)

// refFS is the file system a local spec's $refs read through. It opens files
// on demand (the library's own local file system indexes every YAML and JSON
// file below the spec's directory), keeps reads inside the spec's directory
// tree unless --allow-ref-files (through os.Root, so symlinks cannot lead
// out either), and bounds the number and total size of the files read.
type refFS struct {
	dir          string
	allowOutside bool

	mu    sync.Mutex
	root  *os.Root
	files int
	bytes int64
}

var _ index.RolodexFS = (*refFS)(nil)

func newRefFS(dir string, allowOutside bool) *refFS {
	return &refFS{dir: dir, allowOutside: allowOutside}
}

// errRefRefused means a $ref tried to read a file it may not read.
var errRefRefused = errors.New("reference refused")

// Open opens name, a slash-separated path relative to the spec's directory.
func (r *refFS) Open(name string) (fs.File, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.files >= maxRefFiles {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("%w: more than %d referenced files", errRefRefused, maxRefFiles)}
	}
	var data []byte
	var err error
	switch {
	case fs.ValidPath(name):
		data, err = r.readInside(name)
	case r.allowOutside:
		p := name
		if !filepath.IsAbs(p) {
			p = filepath.Join(r.dir, filepath.FromSlash(p))
		}
		data, err = readRegular(os.OpenFile, filepath.Clean(p))
	default:
		return nil, &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("%w: outside the spec's directory", errRefRefused)}
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	r.files++
	r.bytes += int64(len(data))
	if r.bytes > MaxSpecBytes {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("%w: referenced files exceed %d MiB", errRefRefused, MaxSpecBytes>>20)}
	}
	return &memFile{name: path.Base(name), data: data, r: bytes.NewReader(data)}, nil
}

func (r *refFS) readInside(name string) ([]byte, error) {
	if r.root == nil {
		root, err := os.OpenRoot(r.dir)
		if err != nil {
			return nil, err
		}
		r.root = root
	}
	return readRegular(r.root.OpenFile, name)
}

// readRegular reads a regular file of at most MaxSpecBytes. It opens
// without blocking and checks what it opened, so a FIFO (or a device) put
// in place of a file after the $refs were checked is refused, not waited on.
func readRegular(open func(string, int, fs.FileMode) (*os.File, error), name string) ([]byte, error) {
	f, st, err := openNoBlock(open, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: not a regular file", errRefRefused)
	}
	data, err := readLimited(f)
	if errors.Is(err, errTooLarge) {
		return nil, fmt.Errorf("%w: file %v", errRefRefused, err)
	}
	return data, err
}

func (r *refFS) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.root != nil {
		_ = r.root.Close()
		r.root = nil
	}
}

// GetFiles is part of index.RolodexFS; files are read on demand, never listed.
func (r *refFS) GetFiles() map[string]index.RolodexFile { return map[string]index.RolodexFile{} }

// memFile is a file read into memory.
type memFile struct {
	name string
	data []byte
	r    *bytes.Reader
}

func (f *memFile) Read(p []byte) (int, error) { return f.r.Read(p) }
func (f *memFile) Close() error               { return nil }
func (f *memFile) Stat() (fs.FileInfo, error) { return memInfo{f}, nil }

type memInfo struct{ f *memFile }

func (i memInfo) Name() string       { return i.f.name }
func (i memInfo) Size() int64        { return int64(len(i.f.data)) }
func (i memInfo) Mode() fs.FileMode  { return 0o444 }
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return false }
func (i memInfo) Sys() any           { return nil }
