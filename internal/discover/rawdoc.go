package discover

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
)

// httpMethods are the operation keys of an OpenAPI path item.
var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// filesKey is the top-level extension under which the files a local spec's
// $refs read are mounted, so that every reference becomes a pointer into
// one document: "schemas/pet.yaml#/Pet" becomes "#/x-parapet-ref-files/f1/Pet".
const filesKey = "x-parapet-ref-files"

// rawDoc is the whole document as a compact tree. It is what Parapet holds
// in memory; the library only ever sees small documents cut from it.
type rawDoc struct {
	root *cnode // the top-level object
	// shared is set when YAML aliases made some nodes shared: walks then
	// remember what they visited.
	shared bool
	nfiles int // files mounted under filesKey
	// index maps the keys of large objects to their positions, built on
	// first use: "#/components/schemas/X" among thousands of schemas must
	// not be a linear search per $ref.
	index map[*cnode]map[string]int
}

// indexFrom is the number of keys from which an object is indexed.
const indexFrom = 32

// get is cnode.get through the index for large objects.
func (r *rawDoc) get(n *cnode, key string) *cnode {
	if n == nil || n.kind != cObj {
		return nil
	}
	if len(n.keys) < indexFrom {
		return n.get(key)
	}
	idx, ok := r.index[n]
	if !ok {
		if r.index == nil {
			r.index = map[*cnode]map[string]int{}
		}
		idx = make(map[string]int, len(n.keys))
		for i := len(n.keys) - 1; i >= 0; i-- {
			idx[n.keys[i]] = i
		}
		r.index[n] = idx
	}
	if i, ok := idx[key]; ok {
		return n.kids[i]
	}
	return nil
}

// set is cnode.set, keeping the index right.
func (r *rawDoc) set(n *cnode, key string, v *cnode) {
	delete(r.index, n)
	n.set(key, v)
}

// lookup is cnode.lookup through the index.
func (r *rawDoc) lookup(n *cnode, toks []string) *cnode {
	for _, tok := range toks {
		switch {
		case n == nil:
			return nil
		case n.kind == cObj:
			n = r.get(n, tok)
		case n.kind == cArr:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n.kids) {
				return nil
			}
			n = n.kids[i]
		default:
			return nil
		}
	}
	return n
}

func parseRaw(data []byte) (*rawDoc, error) {
	n, shared, err := parseTreeShared(data)
	if err != nil {
		return nil, err
	}
	if n.kind != cObj {
		return nil, errNotObject
	}
	return &rawDoc{root: n, shared: shared}, nil
}

// seen returns a visited set for a walk when the tree has shared nodes.
func (r *rawDoc) seen() map[*cnode]bool {
	if r.shared {
		return map[*cnode]bool{}
	}
	return nil
}

// pathItems returns the path items in document order.
func (r *rawDoc) pathItems() (keys []string, items []*cnode) {
	paths := r.root.get("paths")
	if paths == nil || paths.kind != cObj {
		return nil, nil
	}
	return paths.keys, paths.kids
}

// itemOperations counts the operations written in a path item (following a
// local $ref of the item itself).
func (r *rawDoc) itemOperations(item *cnode) int {
	if ref, ok := item.ref(); ok {
		if toks, ok := pointerTokens(ref); ok {
			item = r.lookup(r.root, toks)
		}
	}
	if item == nil || item.kind != cObj {
		return 0
	}
	n := 0
	for _, m := range httpMethods {
		if op := item.get(m); op != nil && op.kind == cObj {
			n++
		}
	}
	return n
}

// countOperations counts the operations written inline under paths: what a
// successful parse must yield at least.
func (r *rawDoc) countOperations() int {
	_, items := r.pathItems()
	n := 0
	for _, item := range items {
		if item.kind != cObj {
			continue
		}
		for _, m := range httpMethods {
			if op := item.get(m); op != nil && op.kind == cObj {
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
	op := r.get(r.get(r.get(r.root, "paths"), path), strings.ToLower(method))
	return op.get(key) != nil
}

// resolveRefs makes every $ref of the document either a pointer into the
// document or nothing, so that one bad reference costs only the part that
// holds it (the library drops a whole path, sometimes every path, over
// one). For a local spec, the files its $refs name are read (within
// refFS's bounds), parsed and mounted under filesKey, and the references
// rewritten to point there, so the library never reads a file. Emptied:
// local pointers that resolve to nothing, references to other hosts
// (remote references are never followed), external references of a fetched
// spec, and files that do not exist, are not regular files, cannot be
// parsed or lie outside the spec's directory (unless allowRefFiles). It
// returns one note per distinct problem.
func (r *rawDoc) resolveRefs(src specSource) []string {
	if r.get(r.root, filesKey) != nil {
		r.set(r.root, filesKey, &cnode{kind: cObj}) // the document's own: not ours to trust
	}
	var notes []string
	noted := map[string]bool{}
	note := func(ref, reason string) {
		s := fmt.Sprintf("spec: $ref %q %s; it was ignored", oneLine(truncateRef(ref)), reason)
		if !noted[s] {
			noted[s] = true
			notes = append(notes, s)
		}
	}
	var rfs *refFS
	if src.dir != "" {
		rfs = newRefFS(src.dir, src.allowRefFiles)
		rfs.bytes = src.size
		defer rfs.close()
	}
	type doc struct {
		tree   *cnode
		base   string // "" for the spec, "#/x-parapet-ref-files/fN" for a file
		path   string // the document's file, "" when unknown
		shared bool   // YAML aliases share nodes of the tree
	}
	type kept struct {
		m    *cnode
		orig string // the reference as written
	}
	var refObjs []kept // every reference kept, for the cycle check
	var mounted *cnode
	byPath := map[string]string{} // file → its base
	queue := []doc{{tree: r.root, base: "", path: src.file, shared: r.shared}}
	mount := func(p string) (string, error) {
		if b, ok := byPath[p]; ok {
			return b, nil
		}
		data, err := rfs.Open(p)
		if err != nil {
			return "", err
		}
		tree, shared, err := parseTreeShared(data)
		if err != nil {
			return "", err
		}
		r.shared = r.shared || shared
		if mounted == nil {
			mounted = &cnode{kind: cObj}
			r.set(r.root, filesKey, mounted)
		}
		r.nfiles++
		id := "f" + strconv.Itoa(r.nfiles)
		r.set(mounted, id, tree)
		b := "#/" + filesKey + "/" + id
		byPath[p] = b
		queue = append(queue, doc{tree: tree, base: b, path: p, shared: shared})
		return b, nil
	}
	for len(queue) > 0 {
		d := queue[0]
		queue = queue[1:]
		var seen map[*cnode]bool
		if d.shared {
			seen = map[*cnode]bool{}
		}
		walkObjects(d.tree, seen, func(m *cnode) bool {
			ref, ok := m.ref()
			if !ok {
				return true
			}
			newRef, reason := r.mapRef(ref, d.tree, d.base, d.path, src, mount)
			if reason != "" {
				note(ref, reason)
				delete(r.index, m)
				m.blank()
				return false
			}
			if newRef != ref {
				r.set(m, "$ref", &cnode{kind: cStr, val: newRef})
			}
			refObjs = append(refObjs, kept{m, ref})
			return true
		})
	}
	// A chain of references that never reaches anything else (A → B → A,
	// P → P) makes the library give up on the whole path.
	ends := map[*cnode]bool{}
	for _, k := range refObjs {
		if _, ok := k.m.ref(); ok && !r.chainEnds(k.m, ends) {
			note(k.orig, "is a circular chain of $refs")
			delete(r.index, k.m)
			k.m.blank()
		}
	}
	return notes
}

// chainEnds reports whether following the $ref of m, and of what it points
// to while that is a $ref too, reaches something else within maxRefHops.
func (r *rawDoc) chainEnds(m *cnode, memo map[*cnode]bool) bool {
	var path []*cnode
	ok := false
	n := m
	for hop := 0; hop <= maxRefHops; hop++ {
		if v, known := memo[n]; known {
			ok = v
			break
		}
		ref, isRef := n.ref()
		if !isRef {
			ok = true
			break
		}
		path = append(path, n)
		toks, isPtr := pointerTokens(ref)
		if !isPtr {
			ok = true // a plain-name fragment: not ours to judge
			break
		}
		if n = r.lookup(r.root, toks); n == nil {
			break
		}
	}
	for _, p := range path {
		memo[p] = ok
	}
	return ok
}

// mapRef returns ref rewritten as a pointer into the whole document, or why
// it must not be followed. tree, base and file are those of the document
// that holds the reference.
func (r *rawDoc) mapRef(ref string, tree *cnode, base, file string, src specSource, mount func(string) (string, error)) (string, string) {
	if !isExternalRef(ref) {
		toks, ok := pointerTokens(ref)
		if !ok {
			if base != "" {
				return "", "is a plain-name fragment in a referenced file (not supported)"
			}
			return ref, "" // a plain-name fragment ($anchor); leave it to the library
		}
		if r.lookup(tree, toks) == nil {
			return "", "points to nothing in the document"
		}
		if base == "" {
			return ref, ""
		}
		return base + ref[1:], "" // "#/Sort" in a file: that file's
	}
	target, frag, _ := strings.Cut(ref, "#")
	if u, err := url.Parse(target); err == nil && u.Scheme != "" && len(u.Scheme) > 1 {
		return "", "is a remote reference (remote references are not followed)"
	}
	if strings.HasPrefix(target, "//") {
		return "", "is a remote reference (remote references are not followed)"
	}
	if src.dir == "" {
		return "", "is an external reference of a fetched spec (not followed)"
	}
	if u, err := url.PathUnescape(target); err == nil {
		target = u
	}
	dir := src.dir
	if file != "" {
		dir = filepath.Dir(file)
	}
	p := filepath.FromSlash(target)
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	p = filepath.Clean(p)
	if !src.allowRefFiles && !withinDir(src.dir, p) {
		return "", "reads a file outside the spec's directory (allow it with --allow-ref-files)"
	}
	toks, ok := pointerTokens("#" + frag)
	if !ok {
		return "", "is a plain-name fragment in another file (not supported)"
	}
	var fileBase string
	var fileTree *cnode
	if src.file != "" && p == filepath.Clean(src.file) {
		fileBase, fileTree = "", r.root // the spec itself
	} else {
		b, err := mount(p)
		if err != nil {
			return "", refFileProblem(err)
		}
		fileBase, fileTree = b, r.lookup(r.root, mustTokens(b))
	}
	if r.lookup(fileTree, toks) == nil {
		return "", "points to nothing in the file"
	}
	if fileBase == "" {
		return "#" + frag, ""
	}
	return fileBase + frag, ""
}

func mustTokens(ref string) []string {
	toks, _ := pointerTokens(ref)
	return toks
}

// refFileProblem words why a referenced file could not be used.
func refFileProblem(err error) string {
	var pe *fs.PathError
	switch {
	case errors.Is(err, errNotRegular):
		return "names something that is not a regular file"
	case errors.Is(err, errRefRefused):
		return "names a file that cannot be read (" + oneLine(err.Error()) + ")"
	case errors.Is(err, fs.ErrNotExist):
		return "names a file that does not exist"
	case strings.Contains(err.Error(), "escapes from parent"):
		// os.Root: a symbolic link (or ..) that leads out of the directory
		return "leads outside the spec's directory through a symbolic link (allow it with --allow-ref-files)"
	case errors.As(err, &pe):
		return "names a file that cannot be read"
	}
	return "names a file that could not be parsed (" + oneLine(err.Error()) + ")"
}

func isExternalRef(ref string) bool { return !strings.HasPrefix(ref, "#") }

func truncateRef(ref string) string {
	if len(ref) > 120 {
		return ref[:120] + "…"
	}
	return ref
}

// withinDir reports whether p is dir or below it (lexically).
func withinDir(dir, p string) bool {
	rel, err := filepath.Rel(filepath.Clean(dir), filepath.Clean(p))
	if err != nil {
		return false
	}
	return rel == "." || rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
