package discover

import (
	"errors"
	"fmt"
	"strconv"
)

// The library needs about a hundred times a document's size in memory, and
// more while its operations are read. So it never sees a whole large spec:
// Parapet cuts the document into small ones, each with the header (version,
// info, servers, security), a few path items and just the parts their
// $refs reach, and reads them one after another.
const (
	// chunkOps and chunkBytes bound one cut document's path items: their
	// operations, and their serialized size with what their $refs reach.
	chunkOps   = 50
	chunkBytes = 256 << 10
	// maxItemBytes bounds one path item; a larger one is skipped.
	maxItemBytes = 512 << 10
	// maxHeaderBytes bounds the header every cut document repeats.
	maxHeaderBytes = 128 << 10
	// maxRefHops bounds a chain of $refs (a $ref to a $ref to …).
	maxRefHops = 12
	// maxLibraryBytes bounds the JSON handed to the library for one
	// document, all cut documents together.
	maxLibraryBytes = 64 << 20
)

// headerKeys are the top-level fields every cut document carries.
var headerKeys = []string{"openapi", "swagger", "info", "jsonSchemaDialect", "servers", "security",
	"host", "basePath", "schemes", "consumes", "produces", "securityDefinitions"}

// errHeaderTooLarge means the fields every cut document repeats are huge.
var errHeaderTooLarge = fmt.Errorf("the spec's top-level fields (info, servers, security) are larger than %d KiB", maxHeaderBytes>>10)

// refTarget is what one $ref points to.
type refTarget struct {
	toks []string
	node *cnode
	size int64
	ok   bool // found, measured and small enough to include
}

// cutter cuts a rawDoc into small documents.
type cutter struct {
	raw     *rawDoc
	cache   *refCache // what was read from $ref targets, for every piece
	targets map[string]*refTarget
	// truncated is set when a $ref target was left out for the budgets.
	truncated bool
}

func newCutter(raw *rawDoc) *cutter {
	return &cutter{raw: raw, cache: newRefCache(), targets: map[string]*refTarget{}}
}

// target returns (and remembers) what ref points to.
func (c *cutter) target(ref string) *refTarget {
	if t, ok := c.targets[ref]; ok {
		return t
	}
	t := &refTarget{}
	c.targets[ref] = t
	toks, ok := pointerTokens(ref)
	if !ok {
		return t
	}
	t.toks = toks
	t.node = c.raw.lookup(c.raw.root, toks)
	if t.node == nil {
		return t
	}
	size, _, err := t.node.measure()
	if err != nil || size > chunkBytes {
		return t
	}
	t.size, t.ok = size, true
	return t
}

// needs collects the $refs the reading of some operations needs, nearest
// first, within a byte budget. It follows the structure of OpenAPI, not
// every reference: an operation needs its parameters, its request body's
// schema, the members of that schema's allOf and the schemas of its
// properties, but not the schemas behind those (nor the responses), which
// in a large spec is most of the document.
type needs struct {
	c      *cutter
	refs   []string
	has    map[string]bool
	size   int64
	budget int64
	// body remembers the schemas already read as request bodies.
	body map[*cnode]bool
}

func (c *cutter) newNeeds(budget int64) *needs {
	return &needs{c: c, has: map[string]bool{}, budget: budget, body: map[*cnode]bool{}}
}

// follow resolves n when it is a $ref (a chain of them, bounded), taking
// each target; nil when a target cannot be taken.
func (nd *needs) follow(n *cnode) *cnode {
	for hop := 0; hop < maxRefHops; hop++ {
		ref, ok := n.ref()
		if !ok {
			return n
		}
		t := nd.c.target(ref)
		if !t.ok {
			if t.node != nil {
				nd.c.truncated = true // too large to take
			}
			return nil
		}
		if !nd.has[ref] {
			if nd.size+t.size > nd.budget {
				nd.c.truncated = true
				return nil
			}
			nd.has[ref] = true
			nd.refs = append(nd.refs, ref)
			nd.size += t.size
		}
		n = t.node
	}
	return nil
}

func (nd *needs) pathItem(item *cnode) {
	if item = nd.follow(item); item == nil {
		return
	}
	nd.parameters(item.get("parameters"))
	for _, m := range httpMethods {
		if op := item.get(m); op != nil && op.kind == cObj {
			nd.parameters(op.get("parameters"))
			if rb := nd.follow(op.get("requestBody")); rb != nil {
				nd.content(rb.get("content"), true)
			}
		}
	}
}

func (nd *needs) parameters(ps *cnode) {
	if ps == nil || ps.kind != cArr {
		return
	}
	for _, p := range ps.kids {
		if p = nd.follow(p); p == nil {
			continue
		}
		if in, _ := p.get("in").str(); in == "body" {
			nd.schemaBody(p.get("schema"), 0) // Swagger 2.0
		} else {
			nd.schemaInfo(p.get("schema"), 0)
		}
		nd.content(p.get("content"), false)
		nd.examples(p.get("examples"))
	}
}

func (nd *needs) content(ct *cnode, body bool) {
	if ct == nil || ct.kind != cObj {
		return
	}
	for _, mt := range ct.kids {
		if body {
			nd.schemaBody(mt.get("schema"), 0)
		} else {
			nd.schemaInfo(mt.get("schema"), 0)
		}
		nd.examples(mt.get("examples"))
	}
}

func (nd *needs) examples(m *cnode) {
	if m == nil || m.kind != cObj {
		return
	}
	for _, e := range m.kids {
		nd.follow(e)
	}
}

// schemaInfo takes what a parameter's or a property's type, format and
// example are read from: the schema, and the first allOf member.
func (nd *needs) schemaInfo(s *cnode, depth int) {
	if s == nil || depth > maxSchemaDepth {
		return
	}
	if s = nd.follow(s); s == nil {
		return
	}
	if all := s.get("allOf"); all != nil && all.kind == cArr && len(all.kids) > 0 {
		nd.schemaInfo(all.kids[0], depth+1)
	}
}

// schemaBody takes what a request body's parameters are read from: the
// schema, its properties' schemas and its allOf members, recursively.
func (nd *needs) schemaBody(s *cnode, depth int) {
	if s == nil || depth > maxSchemaDepth {
		return
	}
	if s = nd.follow(s); s == nil || nd.body[s] {
		return
	}
	nd.body[s] = true
	nd.schemaInfo(s, depth)
	if props := s.get("properties"); props != nil && props.kind == cObj {
		for i, p := range props.kids {
			if i >= maxBodyProperties {
				break
			}
			nd.schemaInfo(p, 0)
		}
	}
	if all := s.get("allOf"); all != nil && all.kind == cArr {
		for _, m := range all.kids {
			nd.schemaBody(m, depth+1)
		}
	}
}

// projection marks the parts of the document one cut document holds.
type projection struct {
	full bool
	// item marks a path item, written without what reading its operations
	// does not need (see writeItem).
	item bool
	kids map[string]*projection
}

// include marks the part at toks; it reports whether that added anything.
func (p *projection) include(toks []string) bool {
	for _, t := range toks {
		if p.full {
			return false
		}
		if p.kids == nil {
			p.kids = map[string]*projection{}
		}
		k := p.kids[t]
		if k == nil {
			k = &projection{}
			p.kids[t] = k
		}
		p = k
	}
	if p.full {
		return false
	}
	p.full, p.kids = true, nil
	return true
}

// touch makes sure the part at toks is present, even if empty.
func (p *projection) touch(key string) {
	if p.full {
		return
	}
	if p.kids == nil {
		p.kids = map[string]*projection{}
	}
	if p.kids[key] == nil {
		p.kids[key] = &projection{}
	}
}

// holds reports whether the part at toks is included (and written: not
// in what writeItem leaves out of a path item).
func (p *projection) holds(toks []string) bool {
	for i, t := range toks {
		if p.full {
			return !p.item || itemWrites(toks[i:])
		}
		if p = p.kids[t]; p == nil {
			return false
		}
	}
	return p.full
}

// piece is one cut document under construction.
type piece struct {
	proj  *projection
	items []string // path keys
	ops   int      // operations written in the items
	refs  map[string]bool
	bytes int64
}

// header returns a projection of the fields every cut document carries:
// headerKeys (info reduced to title and version), the security schemes,
// and what their $refs point to.
func (c *cutter) header() (*projection, error) {
	p := &projection{}
	root := c.raw.root
	var size int64
	nd := c.newNeeds(maxHeaderBytes)
	add := func(toks ...string) {
		n := c.raw.lookup(root, toks)
		if n == nil {
			return
		}
		s, _, err := n.measure()
		if err != nil {
			s = maxHeaderBytes + 1
		}
		size += s
		p.include(toks)
		walkObjects(n, c.raw.seen(), func(m *cnode) bool {
			if _, ok := m.ref(); ok {
				nd.follow(m)
				return false
			}
			return true
		})
	}
	for _, k := range headerKeys {
		if k == "info" {
			add("info", "title")
			add("info", "version")
			p.touch("info")
			continue
		}
		add(k)
	}
	add("components", "securitySchemes")
	if size+nd.size > maxHeaderBytes {
		return nil, errHeaderTooLarge
	}
	for _, r := range nd.refs {
		p.include(c.targets[r].toks)
	}
	p.touch("paths")
	return p, nil
}

// itemNeeds returns the $refs reading one path item needs, with their size.
func (c *cutter) itemNeeds(item *cnode) ([]string, int64) {
	nd := c.newNeeds(chunkBytes)
	nd.pathItem(item)
	return nd.refs, nd.size
}

// pieces cuts the path items into pieces, in document order. Path items
// larger than maxItemBytes are skipped, with a warning each in skipped.
func (c *cutter) pieces(header *projection) (out []*piece, skipped []string) {
	keys, items := c.raw.pathItems()
	var cur *piece
	for i, key := range keys {
		item := items[i]
		size, err := itemSize(item)
		if err != nil || size > maxItemBytes {
			why := fmt.Sprintf("is larger than %d KiB", maxItemBytes>>10)
			if err != nil {
				why = "nests or expands (YAML aliases) beyond Parapet's limits"
			}
			skipped = append(skipped, fmt.Sprintf("spec: the path item %q %s and was skipped", oneLine(truncateRef(key)), why))
			continue
		}
		refs, _ := c.itemNeeds(item)
		var extra int64
		if cur != nil {
			for _, r := range refs {
				if !cur.refs[r] {
					extra += c.targets[r].size
				}
			}
		}
		ops := c.raw.itemOperations(item)
		if cur == nil || len(cur.items) > 0 && (cur.ops+ops > chunkOps || cur.bytes+size+extra > chunkBytes) {
			cur = &piece{proj: cloneProjection(header), refs: map[string]bool{}}
			out = append(out, cur)
		}
		c.addItem(cur, key, item, refs)
	}
	return out, skipped
}

// addItem adds a path item, and the $refs reading it needs, to a piece.
func (c *cutter) addItem(p *piece, key string, item *cnode, refs []string) {
	size, _ := itemSize(item)
	p.items = append(p.items, key)
	p.ops += c.raw.itemOperations(item)
	p.bytes += size
	if p.proj.include([]string{"paths", key}) {
		p.proj.kids["paths"].kids[key].item = true
	}
	for _, r := range refs {
		if !p.refs[r] {
			p.refs[r] = true
			p.bytes += c.targets[r].size
			p.proj.include(c.targets[r].toks)
		}
	}
}

func cloneProjection(p *projection) *projection {
	q := &projection{full: p.full, item: p.item}
	if p.kids != nil {
		q.kids = make(map[string]*projection, len(p.kids))
		for k, v := range p.kids {
			q.kids[k] = cloneProjection(v)
		}
	}
	return q
}

// document serializes the parts a projection holds as one JSON document.
// A $ref whose target the projection does not hold is left out, so the
// library never looks for what is not there.
func (c *cutter) document(p *projection) ([]byte, error) {
	w := &jsonWriter{keepRef: func(ref string) bool {
		if t := c.targets[ref]; t != nil && t.toks != nil {
			return p.holds(t.toks)
		}
		toks, ok := pointerTokens(ref)
		if !ok {
			return true // a plain-name fragment: the library's business
		}
		return p.holds(toks)
	}}
	if err := c.write(w, c.raw.root, p, 0); err != nil {
		return nil, err
	}
	return w.b, nil
}

func (c *cutter) write(w *jsonWriter, n *cnode, p *projection, depth int) error {
	if depth > maxTreeHeight {
		return errTreeBounds
	}
	if p.full {
		if p.item {
			writeItem(w, n)
		} else {
			w.value(n)
		}
		if len(w.b) > maxLibraryBytes {
			return errors.New("a cut document grew beyond its bound")
		}
		return nil
	}
	switch n.kind {
	case cObj:
		w.b = append(w.b, '{')
		first := true
		for i, k := range n.keys {
			kp := p.kids[k]
			if kp == nil {
				continue
			}
			if !first {
				w.b = append(w.b, ',')
			}
			first = false
			w.str(k)
			w.b = append(w.b, ':')
			if err := c.write(w, n.kids[i], kp, depth+1); err != nil {
				return err
			}
		}
		w.b = append(w.b, '}')
	case cArr:
		last := -1
		for k := range p.kids {
			if i, err := strconv.Atoi(k); err == nil && i < len(n.kids) {
				last = max(last, i)
			}
		}
		w.b = append(w.b, '[')
		for i := 0; i <= last; i++ {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			if kp := p.kids[strconv.Itoa(i)]; kp != nil {
				if err := c.write(w, n.kids[i], kp, depth+1); err != nil {
					return err
				}
			} else {
				w.b = append(w.b, "{}"...)
			}
		}
		w.b = append(w.b, ']')
	default:
		w.value(n)
	}
	return nil
}

// What a path item and its operations are written with: what extraction
// reads. Responses, callbacks, descriptions and extensions are left out;
// they are often most of a spec (and where an alias bomb hides).
var (
	itemKeys = map[string]bool{"$ref": true, "parameters": true, "servers": true,
		"get": true, "put": true, "post": true, "delete": true, "options": true, "head": true, "patch": true, "trace": true}
	operationKeys = map[string]bool{"operationId": true, "summary": true, "tags": true, "deprecated": true,
		"security": true, "parameters": true, "requestBody": true, "servers": true}
)

// itemWrites reports whether writeItem writes the part of a path item at
// toks.
func itemWrites(toks []string) bool {
	if len(toks) == 0 {
		return true
	}
	if !itemKeys[toks[0]] {
		return false
	}
	switch toks[0] {
	case "$ref", "parameters", "servers":
		return true
	}
	return len(toks) == 1 || operationKeys[toks[1]]
}

// writeItem writes a path item with only itemKeys, and its operations with
// only operationKeys.
func writeItem(w *jsonWriter, item *cnode) {
	if item.kind != cObj {
		w.value(item)
		return
	}
	w.b = append(w.b, '{')
	first := true
	for i, k := range item.keys {
		if !itemKeys[k] {
			continue
		}
		if !first {
			w.b = append(w.b, ',')
		}
		first = false
		w.str(k)
		w.b = append(w.b, ':')
		v := item.kids[i]
		if k == "$ref" || k == "parameters" || k == "servers" || v.kind != cObj {
			w.value(v)
			continue
		}
		w.b = append(w.b, '{')
		ofirst := true
		for j, ok := range v.keys {
			if !operationKeys[ok] {
				continue
			}
			if !ofirst {
				w.b = append(w.b, ',')
			}
			ofirst = false
			w.str(ok)
			w.b = append(w.b, ':')
			w.value(v.kids[j])
		}
		w.b = append(w.b, '}')
	}
	w.b = append(w.b, '}')
}

// itemSize is the size writeItem writes, or an error when a part it
// writes nests or expands beyond bounds.
func itemSize(item *cnode) (int64, error) {
	if item.kind != cObj {
		s, _, err := item.measure()
		return s, err
	}
	total := int64(2)
	for i, k := range item.keys {
		if !itemKeys[k] {
			continue
		}
		v := item.kids[i]
		if k == "$ref" || k == "parameters" || k == "servers" || v.kind != cObj {
			s, _, err := v.measure()
			if err != nil {
				return 0, err
			}
			total += s + int64(len(k)) + 4
			continue
		}
		for j, ok := range v.keys {
			if operationKeys[ok] {
				s, _, err := v.kids[j].measure()
				if err != nil {
					return 0, err
				}
				total += s + int64(len(ok)) + 4
			}
		}
		total += int64(len(k)) + 6
	}
	return total, nil
}
