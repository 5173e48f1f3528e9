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
	// total of the local files its $refs read.
	MaxSpecBytes = 10 << 20
	// maxRefFiles bounds how many local files a spec's $refs may open.
	maxRefFiles = 200
	// maxSpecOperations bounds the operations taken from one document.
	maxSpecOperations = 5000
	// maxSpecWarnings bounds the warnings one document adds to the report.
	maxSpecWarnings = 6
	// parseTimeout bounds the library's work on one document.
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

func parseSpec(ctx context.Context, data []byte, src specSource) (*Spec, error) {
	if len(data) > MaxSpecBytes {
		return nil, fmt.Errorf("%w: larger than %d MiB", ErrNotSpec, MaxSpecBytes>>20)
	}
	if !looksLikeSpec(data) {
		return nil, ErrNotSpec
	}
	raw, err := parseRaw(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotSpec, err)
	}
	expected := raw.countOperations()

	// First pass: the document with its unusable $refs replaced (broken local
	// pointers, refs to other hosts, files outside the spec's tree). The
	// library drops a whole path, sometimes every path, over one bad $ref;
	// a broken part of a spec must cost only that part.
	var warns []string
	doc := data
	if changed, notes := raw.sanitizeRefs(src, false); changed {
		warns = append(warns, notes...)
		if b, err := raw.marshal(); err == nil {
			doc = b
		}
	}
	spec, err := buildSpec(ctx, doc, src, raw)
	if err != nil {
		return nil, err
	}
	// Second pass when operations went missing: drop every external $ref.
	if len(spec.ops) < expected && !spec.capped && raw.hasExternalRefs() {
		if changed, _ := raw.sanitizeRefs(src, true); changed {
			if b, err := raw.marshal(); err == nil {
				if again, err := buildSpec(ctx, b, specSource{}, raw); err == nil && len(again.ops) > len(spec.ops) {
					again.Warnings = append(again.Warnings, "some external $refs of the spec could not be resolved and were ignored")
					spec = again
				}
			}
		}
	}
	if len(spec.ops) < expected && !spec.capped {
		spec.Warnings = append(spec.Warnings, fmt.Sprintf("the spec describes %d operations but only %d could be read", expected, len(spec.ops)))
	}
	spec.Warnings = boundWarnings(append(warns, spec.Warnings...))
	return spec, nil
}

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

// buildSpec runs the library on one document, bounded in time and with any
// panic turned into an error or a warning.
func buildSpec(ctx context.Context, data []byte, src specSource, raw *rawDoc) (*Spec, error) {
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
		r.spec, r.err = buildSpecUnsafe(data, src, raw, &r.spec)
	}()
	t := time.NewTimer(parseTimeout)
	defer t.Stop()
	select {
	case r := <-done:
		if r.err != nil {
			return nil, r.err
		}
		return r.spec, nil
	case <-t.C:
		return nil, fmt.Errorf("parsing the spec took longer than %s", parseTimeout)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// buildSpecUnsafe does the work of buildSpec; partial is set as soon as the
// Spec exists so a panic later keeps what was read.
func buildSpecUnsafe(data []byte, src specSource, raw *rawDoc, partial **Spec) (*Spec, error) {
	cfg := datamodel.NewDocumentConfiguration()
	// The library logs to stdout by default; stdout carries the report.
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg.AllowRemoteReferences = false
	cfg.AllowFileReferences = false
	cfg.IgnorePolymorphicCircularReferences = true
	cfg.IgnoreArrayCircularReferences = true
	if src.dir != "" {
		rfs := newRefFS(src.dir, src.allowRefFiles)
		defer rfs.close()
		cfg.BasePath = src.dir
		cfg.LocalFS = rfs
	}
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
	major, _, _ := strings.Cut(info.Version, ".")
	switch {
	case info.SpecFormat == datamodel.OAS2 && major == "2":
		m, err := doc.BuildV2Model()
		spec.addLibraryErrors(err)
		if m == nil {
			return spec, nil
		}
		extractV2(spec, &m.Model, raw)
	case major == "3" && (info.SpecFormat == datamodel.OAS3 || info.SpecFormat == datamodel.OAS31 || info.SpecFormat == datamodel.OAS32):
		m, err := doc.BuildV3Model()
		spec.addLibraryErrors(err)
		if m == nil {
			return spec, nil
		}
		extractV3(spec, &m.Model)
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
