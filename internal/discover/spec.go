package discover

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi/datamodel"
	"github.com/pb33f/libopenapi/index"

	"github.com/parapet-scanner/parapet/internal/inventory"
	"github.com/parapet-scanner/parapet/internal/safetext"
)

// Bounds on one OpenAPI document. A spec is input the target (or whoever
// wrote it) controls: it must not be able to exhaust the scanner.
const (
	// MaxSpecBytes is the largest document Parapet parses, and the largest
	// total of a local spec and the files its $refs read. A YAML document
	// has a lower bound (maxYAMLBytes).
	MaxSpecBytes = 10 << 20
	// maxRefFiles bounds how many local files a spec's $refs may open.
	maxRefFiles = 200
	// maxSpecOperations bounds the operations taken from one document.
	maxSpecOperations = 5000
	// maxSpecWarnings bounds the warnings one document adds to the report.
	maxSpecWarnings = 6
	// parseTimeout bounds the library's work on one document, all its
	// pieces together.
	parseTimeout = 30 * time.Second
	// maxWarningLen bounds one warning line.
	maxWarningLen = 240
)

// ErrNotSpec means a document is not an OpenAPI 2.0 or 3.x description.
var ErrNotSpec = errors.New("not an OpenAPI document")

// Spec is an OpenAPI document reduced to what a scan needs.
type Spec struct {
	// Version is the document's openapi/swagger version: "2.0", "3.0.3", "3.1.0".
	Version string
	// Title is info.title.
	Title string
	// AuthSchemes are the declared security schemes.
	AuthSchemes []inventory.AuthScheme
	// Warnings say which parts of the document could not be used.
	Warnings []string

	servers []string // document servers (3.x), or basePath-derived for 2.0
	host    string   // 2.0 host, "" when absent
	ops     []specOp
	capped  bool // more than maxSpecOperations
	// panicked is set when the library panicked on the document; the fuzz
	// target uses it to report the input.
	panicked bool
}

// specOp is one operation before its URL is resolved against the target.
type specOp struct {
	op      inventory.Operation // Path is the template; URL is empty
	servers []string            // path- or operation-level servers (3.x)
}

// Len returns how many operations the document describes.
func (s *Spec) Len() int { return len(s.ops) }

// specSource says where a document came from, which decides what its
// external $refs may read.
type specSource struct {
	// dir is the directory of a local spec file; "" for a fetched spec,
	// whose external $refs are never followed.
	dir string
	// file is the local spec file itself ("" when unknown): a $ref back to
	// it from another file is a pointer into the document.
	file string
	// size is the spec's own size, counted with the files its $refs read.
	size int64
	// allowRefFiles lets local $refs leave dir (--allow-ref-files).
	allowRefFiles bool
}

// ParseSpec parses an OpenAPI 2.0, 3.0 or 3.1 document (JSON or YAML) held
// in memory, without following any external $ref. Broken parts of the
// document become Warnings; an error means it is not a usable OpenAPI
// document at all.
func ParseSpec(ctx context.Context, data []byte) (*Spec, error) {
	return parseSpec(ctx, data, specSource{})
}

// parseSpec reads a document in bounded memory: the whole document is held
// only as a compact tree (rawDoc), its $refs resolved there, and the
// library reads it as small cut documents one after another (see chunk.go):
// first the header alone, for the version, title, servers and security
// schemes, then the path items a few at a time.
func parseSpec(ctx context.Context, data []byte, src specSource) (*Spec, error) {
	if len(data) > MaxSpecBytes {
		return nil, fmt.Errorf("%w: larger than %d MiB", ErrNotSpec, MaxSpecBytes>>20)
	}
	if !looksLikeSpec(data) {
		return nil, ErrNotSpec
	}
	if src.size == 0 {
		src.size = int64(len(data))
	}
	raw, err := parseRaw(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotSpec, err)
	}
	data = nil // the tree holds what is needed
	expected := raw.countOperations()
	warns := raw.resolveRefs(src)

	deadline := time.Now().Add(parseTimeout)
	cut := newCutter(raw)
	header, err := cut.header()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotSpec, err)
	}
	got, err := runLibrary(ctx, cut, header, nil, raw, maxSpecOperations, deadline)
	if err != nil {
		return nil, err
	}
	spec := got.Spec
	spec.ops = nil
	pieces, skipped := cut.pieces(header)
	warns = append(warns, skipped...)
	r := &pieceReader{ctx: ctx, cut: cut, raw: raw, spec: spec, deadline: deadline, run: runLibrary}
	gc := newGCPacer()
	for _, p := range pieces {
		if !r.read(p) {
			break
		}
		gc.step()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if cut.truncated {
		warns = append(warns, "spec: some $refs reach more than Parapet reads for one operation; the parts beyond were left out")
	}
	if len(spec.ops) < expected && !spec.capped && r.stopped == "" {
		spec.Warnings = append(spec.Warnings, fmt.Sprintf("the spec describes %d operations but only %d could be read", expected, len(spec.ops)))
	}
	if r.stopped != "" {
		spec.Warnings = append(spec.Warnings, r.stopped)
	}
	spec.Warnings = boundWarnings(append(warns, spec.Warnings...))
	return spec, nil
}

// pieceReader reads the pieces of one document into spec, splitting a
// piece the library fails on until the failure is down to one path item.
type pieceReader struct {
	ctx      context.Context
	cut      *cutter
	raw      *rawDoc
	spec     *Spec
	deadline time.Time
	handed   int    // bytes handed to the library so far
	stopped  string // why reading stopped early
	run      func(context.Context, *cutter, *projection, map[string]bool, *rawDoc, int, time.Time) (*chunkSpec, error)
}

// read reads one piece; it returns false when reading must stop.
func (r *pieceReader) read(p *piece) bool {
	if r.spec.capped {
		return false
	}
	if r.handed > maxLibraryBytes {
		r.stopped = fmt.Sprintf("the spec is too large or too interlinked to read in full; %d operations were read", len(r.spec.ops))
		return false
	}
	only := make(map[string]bool, len(p.items))
	for _, k := range p.items {
		only[k] = true
	}
	got, err := r.run(r.ctx, r.cut, p.proj, only, r.raw, maxSpecOperations-len(r.spec.ops), r.deadline)
	if got != nil {
		r.handed += got.handed
	}
	if r.ctx.Err() != nil {
		r.stopped = "reading the spec was interrupted"
		return false
	}
	if errors.Is(err, errParseTimeout) {
		r.stopped = fmt.Sprintf("parsing the spec took longer than %s; %d operations were read", parseTimeout, len(r.spec.ops))
		return false
	}
	if (err != nil || got.panicked || len(got.ops) < p.ops) && len(p.items) > 1 {
		// Find the path item at fault: read each half alone.
		half := len(p.items) / 2
		for _, items := range [][]string{p.items[:half], p.items[half:]} {
			if !r.read(r.subPiece(p, items)) {
				return false
			}
		}
		return true
	}
	if err != nil {
		r.spec.Warnings = append(r.spec.Warnings, fmt.Sprintf("spec: the path %q could not be read: %s", oneLine(truncateRef(p.items[0])), oneLine(err.Error())))
		return true
	}
	r.spec.ops = append(r.spec.ops, got.ops...)
	r.spec.Warnings = append(r.spec.Warnings, got.Warnings...)
	r.spec.panicked = r.spec.panicked || got.panicked
	if got.capped { // extraction said so in got.Warnings
		r.spec.capped = true
		return false
	}
	return true
}

// subPiece is a piece of some of p's items, with what their $refs reach.
func (r *pieceReader) subPiece(p *piece, items []string) *piece {
	header, _ := r.cut.header()
	q := &piece{proj: header, refs: map[string]bool{}}
	for _, key := range items {
		item := r.raw.get(r.raw.get(r.raw.root, "paths"), key)
		refs, _ := r.cut.itemNeeds(item)
		r.cut.addItem(q, key, item, refs)
	}
	return q
}

// errParseTimeout means the library ran past the document's time limit.
var errParseTimeout = fmt.Errorf("parsing the spec took longer than %s", parseTimeout)

// looksLikeSpec is a cheap test before any parsing: an OpenAPI document
// names its version in an "openapi" or "swagger" field.
func looksLikeSpec(data []byte) bool {
	head := data
	if len(head) > 1<<20 {
		head = head[:1<<20]
	}
	s := string(head)
	return strings.Contains(s, "openapi") || strings.Contains(s, "swagger")
}

// chunkSpec is what the library read from one cut document.
type chunkSpec struct {
	*Spec
	handed int // the cut document's size
}

// runLibrary serializes the cut document p and runs the library on it,
// bounded in time (until deadline) and with any panic turned into a
// warning. only names the path items whose operations are read (nil: none
// are expected); room is how many operations may still be taken.
func runLibrary(ctx context.Context, cut *cutter, p *projection, only map[string]bool, raw *rawDoc, room int, deadline time.Time) (*chunkSpec, error) {
	data, err := cut.document(p)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotSpec, err)
	}
	type result struct {
		spec *Spec
		err  error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		defer func() {
			if p := recover(); p != nil {
				if r.spec == nil {
					r.spec = &Spec{}
				}
				r.spec.panicked = true
				r.spec.Warnings = append(r.spec.Warnings, fmt.Sprintf("the OpenAPI parser failed on part of the spec (%v); that part was skipped", p))
				slog.Debug("openapi parser panic", "panic", p, "stack", string(debug.Stack()))
			}
			done <- r
		}()
		r.spec, r.err = buildSpecUnsafe(data, raw, only, room, cut.cache, &r.spec)
	}()
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case r := <-done:
		if r.err != nil {
			return &chunkSpec{handed: len(data)}, r.err
		}
		return &chunkSpec{Spec: r.spec, handed: len(data)}, nil
	case <-t.C:
		return &chunkSpec{handed: len(data)}, errParseTimeout
	case <-ctx.Done():
		return &chunkSpec{handed: len(data)}, ctx.Err()
	}
}

// buildSpecUnsafe does the work of runLibrary; partial is set as soon as
// the Spec exists so a panic later keeps what was read.
func buildSpecUnsafe(data []byte, raw *rawDoc, only map[string]bool, room int, cache *refCache, partial **Spec) (*Spec, error) {
	cfg := datamodel.NewDocumentConfiguration()
	// The library logs to stdout by default; stdout carries the report.
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	// Parapet resolved every external $ref itself: the library reads no
	// file and no URL.
	cfg.AllowRemoteReferences = false
	cfg.AllowFileReferences = false
	cfg.SkipExternalRefResolution = true
	cfg.IgnorePolymorphicCircularReferences = true
	cfg.IgnoreArrayCircularReferences = true
	// Descriptions, enums and paths of the index are for linters.
	cfg.SkipMetadataCollection = true
	cfg.SkipJSONConversion = true
	doc, err := libopenapi.NewDocumentWithConfiguration(data, cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotSpec, oneLine(err.Error()))
	}
	info := doc.GetSpecInfo()
	if info == nil {
		return nil, ErrNotSpec
	}
	spec := &Spec{Version: info.Version}
	*partial = spec
	if only == nil {
		only = map[string]bool{}
	}
	major, _, _ := strings.Cut(info.Version, ".")
	switch {
	case info.SpecFormat == datamodel.OAS2 && major == "2":
		m, err := doc.BuildV2Model()
		spec.addLibraryErrors(err)
		if m == nil {
			return spec, nil
		}
		extractV2(spec, &m.Model, raw, only, room, cache)
	case major == "3" && (info.SpecFormat == datamodel.OAS3 || info.SpecFormat == datamodel.OAS31 || info.SpecFormat == datamodel.OAS32):
		m, err := doc.BuildV3Model()
		spec.addLibraryErrors(err)
		if m == nil {
			return spec, nil
		}
		extractV3(spec, &m.Model, only, room, cache)
	default:
		return nil, ErrNotSpec
	}
	return spec, nil
}

// addLibraryErrors turns the library's build errors into warnings. Circular
// references are normal in real specs and handled by the library.
func (s *Spec) addLibraryErrors(err error) {
	if err == nil {
		return
	}
	for _, e := range unwrapAll(err) {
		var circ *index.ResolvingError
		if errors.As(e, &circ) && circ.CircularReference != nil {
			continue
		}
		msg := oneLine(e.Error())
		if strings.Contains(msg, "circular reference") {
			continue
		}
		s.Warnings = append(s.Warnings, "spec: "+msg)
	}
}

func unwrapAll(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, unwrapAll(e)...)
		}
		return out
	}
	return []error{err}
}

func oneLine(s string) string {
	return safetext.Truncate(strings.TrimSpace(safetext.Line(s)), maxWarningLen)
}

// boundWarnings deduplicates warnings and keeps at most maxSpecWarnings,
// saying how many were left out.
func boundWarnings(ws []string) []string {
	seen := map[string]bool{}
	var out []string
	extra := 0
	for _, w := range ws {
		w = oneLine(w)
		if w == "" || seen[w] {
			continue
		}
		seen[w] = true
		if len(out) >= maxSpecWarnings {
			extra++
			continue
		}
		out = append(out, w)
	}
	if extra > 0 {
		out = append(out, fmt.Sprintf("spec: %d more problems in the document were not listed", extra))
	}
	return out
}
