package discover

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// refFS reads the files a local spec's $refs name. Parapet resolves those
// references itself (the library never touches the file system): reads stay
// inside the spec's directory tree unless --allow-ref-files (through
// os.Root, so symbolic links cannot lead out either), only regular files
// are read, and their number and total size are bounded.
type refFS struct {
	dir          string
	allowOutside bool

	root  *os.Root
	files int
	bytes int64 // the spec's own size included
}

func newRefFS(dir string, allowOutside bool) *refFS {
	return &refFS{dir: filepath.Clean(dir), allowOutside: allowOutside}
}

// errRefRefused means a $ref tried to read a file it may not read;
// errNotRegular that the file is a FIFO, a device or a directory.
var (
	errRefRefused = errors.New("reference refused")
	errNotRegular = errors.New("not a regular file")
)

// Open reads name, a path relative to the spec's directory (slash- or
// OS-separated) or, with --allow-ref-files, any path.
func (r *refFS) Open(name string) ([]byte, error) {
	if r.files >= maxRefFiles {
		return nil, fmt.Errorf("%w: more than %d referenced files", errRefRefused, maxRefFiles)
	}
	p := filepath.FromSlash(name)
	if !filepath.IsAbs(p) {
		p = filepath.Join(r.dir, p)
	}
	p = filepath.Clean(p)
	var data []byte
	var err error
	switch rel, relErr := filepath.Rel(r.dir, p); {
	case relErr == nil && withinDir(r.dir, p):
		data, err = r.readInside(rel)
	case r.allowOutside:
		data, err = readRegular(os.OpenFile, p)
	default:
		return nil, fmt.Errorf("%w: outside the spec's directory", errRefRefused)
	}
	if err != nil {
		return nil, err
	}
	r.files++
	r.bytes += int64(len(data))
	if r.bytes > MaxSpecBytes {
		return nil, fmt.Errorf("%w: the spec and its referenced files exceed %d MiB", errRefRefused, MaxSpecBytes>>20)
	}
	return data, nil
}

func (r *refFS) readInside(rel string) ([]byte, error) {
	if r.root == nil {
		root, err := os.OpenRoot(r.dir)
		if err != nil {
			return nil, err
		}
		r.root = root
	}
	return readRegular(r.root.OpenFile, rel)
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
		return nil, fmt.Errorf("%w: %w", errRefRefused, errNotRegular)
	}
	data, err := readLimited(f)
	if errors.Is(err, errTooLarge) {
		return nil, fmt.Errorf("%w: file %v", errRefRefused, err)
	}
	return data, err
}

func (r *refFS) close() {
	if r.root != nil {
		_ = r.root.Close()
		r.root = nil
	}
}
