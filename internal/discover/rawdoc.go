package discover

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pb33f/go-yaml"
)

// maxNodeDepth bounds recursion over a document's YAML tree.
const maxNodeDepth = 256

// httpMethods are the operation keys of an OpenAPI path item.
var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// rawDoc is the document as a YAML node tree, used before the library sees
// it: to count the operations it should yield and to neutralise $refs that
// cannot or must not be followed.
type rawDoc struct {
	root *yaml.Node // the top-level mapping
}

func parseRaw(data []byte) (*rawDoc, error) {
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		return nil, errors.New(oneLine(err.Error()))
	}
	root := &n
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil, errors.New("empty document")
		}
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil, errors.New("the document is not an object")
	}
	return &rawDoc{root: root}, nil
}

func (r *rawDoc) marshal() ([]byte, error) { return yaml.Marshal(r.root) }

// mapGet returns the value of key in a mapping node.
func mapGet(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// countOperations counts the operations written inline under paths: what a
// successful parse must yield at least.
func (r *rawDoc) countOperations() int {
	paths := mapGet(r.root, "paths")
	if paths == nil || paths.Kind != yaml.MappingNode {
		return 0
	}
	n := 0
	for i := 1; i < len(paths.Content); i += 2 {
		item := paths.Content[i]
		if item.Kind != yaml.MappingNode {
			continue
		}
		for _, m := range httpMethods {
			if op := mapGet(item, m); op != nil && op.Kind == yaml.MappingNode {
				n++
			}
		}
	}
	return n
}

// operationHas reports whether the operation at path and method writes key
// (the library does not tell "security: []" from no security at all in 2.0).
func (r *rawDoc) operationHas(path, method, key string) bool {
	if r == nil {
		return false
	}
	op := mapGet(mapGet(mapGet(r.root, "paths"), path), strings.ToLower(method))
	return mapGet(op, key) != nil
}

// pointer resolves a local JSON pointer ("#/components/schemas/Pet").
func (r *rawDoc) pointer(ref string) *yaml.Node {
	frag := strings.TrimPrefix(ref, "#")
	if frag == "" {
		return r.root
	}
	if !strings.HasPrefix(frag, "/") {
		return nil // a plain-name fragment ($anchor); leave it to the library
	}
	if u, err := url.PathUnescape(frag); err == nil {
		frag = u
	}
	n := r.root
	for _, tok := range strings.Split(frag[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		for n != nil && n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		switch {
		case n == nil:
			return nil
		case n.Kind == yaml.MappingNode:
			n = mapGet(n, tok)
		case n.Kind == yaml.SequenceNode:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n.Content) {
				return nil
			}
			n = n.Content[i]
		default:
			return nil
		}
	}
	return n
}

// walkRefs calls fn with every mapping that holds a string "$ref".
func walkRefs(n *yaml.Node, depth int, fn func(m *yaml.Node, ref string)) {
	if n == nil || depth > maxNodeDepth || n.Kind == yaml.AliasNode {
		return
	}
	if n.Kind == yaml.MappingNode {
		if ref := mapGet(n, "$ref"); ref != nil && ref.Kind == yaml.ScalarNode {
			fn(n, ref.Value)
		}
	}
	for _, c := range n.Content {
		walkRefs(c, depth+1, fn)
	}
}

func isExternalRef(ref string) bool { return !strings.HasPrefix(ref, "#") }

func (r *rawDoc) hasExternalRefs() bool {
	found := false
	walkRefs(r.root, 0, func(_ *yaml.Node, ref string) {
		if isExternalRef(ref) {
			found = true
		}
	})
	return found
}

// sanitizeRefs empties every $ref that cannot or must not be followed, so
// that one bad reference costs only the part that holds it: local pointers
// that resolve to nothing, references to other hosts (remote references are
// never followed), and, for a local spec, files that do not exist or lie
// outside the spec's directory (unless allowRefFiles). With dropExternal
// every non-local reference goes. It returns whether anything changed and
// one note per distinct problem.
func (r *rawDoc) sanitizeRefs(src specSource, dropExternal bool) (bool, []string) {
	var notes []string
	seen := map[string]bool{}
	note := func(s string) {
		if !seen[s] {
			seen[s] = true
			notes = append(notes, s)
		}
	}
	changed := false
	walkRefs(r.root, 0, func(m *yaml.Node, ref string) {
		reason := r.refProblem(ref, src, dropExternal)
		if reason == "" {
			return
		}
		note(fmt.Sprintf("spec: $ref %q %s; it was ignored", oneLine(truncateRef(ref)), reason))
		m.Content = nil // an empty object in place of the reference
		changed = true
	})
	return changed, notes
}

func truncateRef(ref string) string {
	if len(ref) > 120 {
		return ref[:120] + "…"
	}
	return ref
}

// refProblem says why ref must not be followed, or "" when it may be.
func (r *rawDoc) refProblem(ref string, src specSource, dropExternal bool) string {
	if !isExternalRef(ref) {
		if r.pointer(ref) == nil && strings.HasPrefix(ref, "#/") {
			return "points to nothing in the document"
		}
		return ""
	}
	if dropExternal {
		return "could not be resolved"
	}
	file, _, _ := strings.Cut(ref, "#")
	if u, err := url.Parse(file); err == nil && u.Scheme != "" && len(u.Scheme) > 1 {
		return "is a remote reference (remote references are not followed)"
	}
	if strings.HasPrefix(file, "//") {
		return "is a remote reference (remote references are not followed)"
	}
	if src.dir == "" {
		return "is an external reference of a fetched spec (not followed)"
	}
	if u, err := url.PathUnescape(file); err == nil {
		file = u
	}
	p := file
	if !filepath.IsAbs(p) {
		p = filepath.Join(src.dir, p)
	}
	p = filepath.Clean(p)
	if !src.allowRefFiles && !withinDir(src.dir, p) {
		return "reads a file outside the spec's directory (allow it with --allow-ref-files)"
	}
	st, err := os.Stat(p)
	if err != nil || st.IsDir() {
		return "names a file that does not exist"
	}
	if !st.Mode().IsRegular() {
		// A FIFO would block the parser until its time limit, a device
		// would never end.
		return "names something that is not a regular file"
	}
	if st.Size() > MaxSpecBytes {
		return "names a file that is too large"
	}
	return ""
}

// withinDir reports whether p is dir or below it (lexically).
func withinDir(dir, p string) bool {
	rel, err := filepath.Rel(filepath.Clean(dir), filepath.Clean(p))
	if err != nil {
		return false
	}
	return rel == "." || rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
