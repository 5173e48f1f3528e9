package discover

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/pb33f/go-yaml"
	"github.com/pb33f/libopenapi/datamodel/high/base"
	v2 "github.com/pb33f/libopenapi/datamodel/high/v2"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"github.com/pb33f/libopenapi/datamodel/low"
	"github.com/pb33f/libopenapi/orderedmap"

	"github.com/parapet-scanner/parapet/internal/inventory"
)

// Bounds on what one operation contributes.
const (
	maxExampleLen     = 512
	maxExampleNodes   = 500
	maxBodyProperties = 100
	maxSchemaDepth    = 4
)

// ---- OpenAPI 3.x ----

// extractV3 reads a (cut) OpenAPI 3 document into spec: its header, and the
// operations of the path items named in only (all when nil), at most room.
func extractV3(spec *Spec, doc *v3.Document, only map[string]bool, room int, c *refCache) {
	if doc.Info != nil {
		spec.Title = doc.Info.Title
	}
	spec.servers = serverURLs(doc.Servers)
	if doc.Components != nil && doc.Components.SecuritySchemes != nil {
		for name, s := range doc.Components.SecuritySchemes.FromOldest() {
			if s == nil {
				continue
			}
			spec.AuthSchemes = append(spec.AuthSchemes, inventory.AuthScheme{
				Name: name, Type: s.Type, Scheme: strings.ToLower(s.Scheme), In: s.In, Param: s.Name,
			})
		}
	}
	if doc.Paths == nil || doc.Paths.PathItems == nil {
		return
	}
	for path, item := range doc.Paths.PathItems.FromOldest() {
		if item == nil || only != nil && !only[path] {
			continue
		}
		for method, op := range item.GetOperations().FromOldest() {
			if op == nil {
				continue
			}
			if len(spec.ops) >= room {
				spec.Warnings = append(spec.Warnings, fmt.Sprintf("the spec has more than %d operations; the rest were skipped", maxSpecOperations))
				spec.capped = true
				return
			}
			o := inventory.Operation{
				Method:      strings.ToUpper(method),
				Path:        path,
				OperationID: op.OperationId,
				Summary:     op.Summary,
				Tags:        append([]string(nil), op.Tags...),
				Deprecated:  op.Deprecated != nil && *op.Deprecated,
				Source:      inventory.SourceSpec,
			}
			sec := doc.Security
			if op.Security != nil {
				sec = op.Security
			}
			o.Secured = requiresSecurity(sec)
			var itemRefs, opRefs []string
			bodyRef := ""
			if l := item.GoLow(); l != nil {
				itemRefs = refsOf(l.Parameters.Value)
			}
			if l := op.GoLow(); l != nil {
				opRefs = refsOf(l.Parameters.Value)
				bodyRef = l.RequestBody.GetReference()
			}
			o.Parameters = mergeParams(paramsV3(item.Parameters, itemRefs, c), paramsV3(op.Parameters, opRefs, c))
			o.Parameters = append(o.Parameters, c.body(bodyRef, func() []inventory.Parameter { return bodyParamsV3(op.RequestBody, c) })...)
			servers := serverURLs(item.Servers)
			if s := serverURLs(op.Servers); len(s) > 0 {
				servers = s
			}
			spec.ops = append(spec.ops, specOp{op: o, servers: servers})
		}
	}
}

// serverURLs returns the servers' URLs with their variables set to defaults.
func serverURLs(servers []*v3.Server) []string {
	var out []string
	for _, s := range servers {
		if s == nil {
			continue
		}
		u := s.URL
		if s.Variables != nil {
			for name, v := range s.Variables.FromOldest() {
				if v != nil {
					u = strings.ReplaceAll(u, "{"+name+"}", v.Default)
				}
			}
		}
		out = append(out, u)
	}
	return out
}

// requiresSecurity reports whether a security requirement list makes
// credentials mandatory: it is non-empty and has no empty requirement ({}
// means anonymous access is allowed).
func requiresSecurity(reqs []*base.SecurityRequirement) bool {
	if len(reqs) == 0 {
		return false
	}
	for _, r := range reqs {
		if r == nil || r.ContainsEmptyRequirement || r.Requirements == nil || r.Requirements.Len() == 0 {
			return false
		}
	}
	return true
}

// paramsV3 converts parameters; refs[i] is the $ref parameter i was
// written as ("" when inline), by which its conversion is remembered.
func paramsV3(ps []*v3.Parameter, refs []string, c *refCache) []inventory.Parameter {
	var out []inventory.Parameter
	for i, p := range ps {
		ref := ""
		if i < len(refs) {
			ref = refs[i]
		}
		out = append(out, c.param(ref, func() []inventory.Parameter { return paramV3(p, c) })...)
	}
	return out
}

func paramV3(p *v3.Parameter, c *refCache) []inventory.Parameter {
	if p == nil || p.Name == "" || p.In == "" {
		return nil
	}
	in := strings.ToLower(p.In)
	if in == "header" && ignoredHeaderParam(p.Name) {
		return nil
	}
	ip := inventory.Parameter{Name: p.Name, In: in, Required: p.Required != nil && *p.Required}
	if in == "path" {
		ip.Required = true
	}
	var si schemaInfo
	if p.Schema != nil {
		si = c.schema(p.Schema)
	} else if p.Content != nil {
		if mt := p.Content.First(); mt != nil && mt.Value() != nil && mt.Value().Schema != nil {
			si = c.schema(mt.Value().Schema)
		}
	}
	ip.Type, ip.Format = si.typ, si.format
	ip.Example = firstValue(p.Example, firstExampleNode(p.Examples))
	if ip.Example == "" {
		ip.Example = si.example
	}
	return []inventory.Parameter{ip}
}

// refsOf lists the $refs of low-level values ("" for inline ones).
func refsOf[T any](vs []low.ValueReference[T]) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		if v.IsReference() {
			out[i] = v.GetReference()
		}
	}
	return out
}

// schemaInfo is what Parapet reads from a parameter's or a property's
// schema.
type schemaInfo struct {
	typ, format, example string
	readOnly             bool
}

func infoOf(s *base.Schema) schemaInfo {
	if s == nil {
		return schemaInfo{}
	}
	t, f := schemaType(s)
	return schemaInfo{typ: t, format: f, example: schemaExample(s), readOnly: s.ReadOnly != nil && *s.ReadOnly}
}

// refCache remembers what was read from each $ref target across the cut
// documents of one spec: the library builds a new model of a target for
// every place that references it, which made a spec of operations with
// forty $ref parameters each cost gigabytes. Keys are $refs as Parapet
// rewrote them, pointers into the whole document. Safe for concurrent use.
type refCache struct {
	mu      sync.Mutex
	params  map[string][]inventory.Parameter
	bodies  map[string][]inventory.Parameter
	schemas map[string]schemaInfo
}

func newRefCache() *refCache {
	return &refCache{params: map[string][]inventory.Parameter{}, bodies: map[string][]inventory.Parameter{}, schemas: map[string]schemaInfo{}}
}

// param returns the conversion of the parameter at ref, computing it once;
// an inline parameter (ref "") is always computed.
func (c *refCache) param(ref string, compute func() []inventory.Parameter) []inventory.Parameter {
	return cachedParams(c, ref, func(c *refCache) map[string][]inventory.Parameter { return c.params }, compute)
}

// body is param for request bodies.
func (c *refCache) body(ref string, compute func() []inventory.Parameter) []inventory.Parameter {
	return cachedParams(c, ref, func(c *refCache) map[string][]inventory.Parameter { return c.bodies }, compute)
}

func cachedParams(c *refCache, ref string, m func(*refCache) map[string][]inventory.Parameter, compute func() []inventory.Parameter) []inventory.Parameter {
	if c == nil || ref == "" {
		return compute()
	}
	c.mu.Lock()
	v, ok := m(c)[ref]
	c.mu.Unlock()
	if ok {
		return append([]inventory.Parameter(nil), v...)
	}
	v = compute()
	c.mu.Lock()
	m(c)[ref] = v
	c.mu.Unlock()
	return append([]inventory.Parameter(nil), v...)
}

// schema returns what Parapet reads from a schema, computed once per $ref.
func (c *refCache) schema(p *base.SchemaProxy) schemaInfo {
	if p == nil {
		return schemaInfo{}
	}
	if c == nil || !p.IsReference() {
		return infoOf(p.Schema())
	}
	ref := p.GetReference()
	c.mu.Lock()
	si, ok := c.schemas[ref]
	c.mu.Unlock()
	if ok {
		return si
	}
	si = infoOf(p.Schema())
	c.mu.Lock()
	c.schemas[ref] = si
	c.mu.Unlock()
	return si
}

// ignoredHeaderParam: OpenAPI 3 says these header parameters are ignored.
func ignoredHeaderParam(name string) bool {
	switch strings.ToLower(name) {
	case "accept", "content-type", "authorization":
		return true
	}
	return false
}

// bodyParamsV3 describes a request body as one "body" parameter per
// top-level property of its schema (JSON first, then forms). A body whose
// schema has no named properties is one parameter with an empty Name.
func bodyParamsV3(rb *v3.RequestBody, c *refCache) []inventory.Parameter {
	if rb == nil || rb.Content == nil || rb.Content.Len() == 0 {
		return nil
	}
	mt, media := pickMediaType(rb.Content)
	if mt == nil {
		return nil
	}
	var s *base.Schema
	if mt.Schema != nil {
		s = mt.Schema.Schema()
	}
	examples := map[string]string{}
	if ex := firstNonNil(mt.Example, firstExampleNode(mt.Examples)); ex != nil {
		examples = objectExamples(ex)
	}
	params := bodyParams(s, examples, c)
	if len(params) == 0 {
		t, f := schemaType(s)
		if t == "" {
			t = mediaTypeKind(media)
		}
		params = []inventory.Parameter{{In: "body", Required: rb.Required != nil && *rb.Required, Type: t, Format: f}}
	}
	return params
}

func pickMediaType(content *orderedmap.Map[string, *v3.MediaType]) (*v3.MediaType, string) {
	rank := func(ct string) int {
		ct = strings.ToLower(strings.TrimSpace(strings.SplitN(ct, ";", 2)[0]))
		switch {
		case ct == "application/json":
			return 0
		case strings.HasSuffix(ct, "+json") || strings.HasSuffix(ct, "/json"):
			return 1
		case ct == "application/x-www-form-urlencoded":
			return 2
		case ct == "multipart/form-data":
			return 3
		}
		return 4
	}
	var best *v3.MediaType
	bestName, bestRank := "", 99
	for name, mt := range content.FromOldest() {
		if mt == nil {
			continue
		}
		if r := rank(name); r < bestRank {
			best, bestName, bestRank = mt, name, r
		}
	}
	return best, bestName
}

func mediaTypeKind(media string) string {
	if strings.Contains(media, "json") {
		return "object"
	}
	return "string"
}

// bodyParams lists the top-level properties of an object schema, merging
// allOf members, with examples from the schema or the media type example.
func bodyParams(s *base.Schema, examples map[string]string, c *refCache) []inventory.Parameter {
	props := map[string]*base.SchemaProxy{}
	var order []string
	required := map[string]bool{}
	collectProperties(s, 0, props, &order, required)
	var out []inventory.Parameter
	for _, name := range order {
		si := c.schema(props[name])
		if si.readOnly {
			continue // readOnly properties are not sent in requests
		}
		ex := examples[name]
		if ex == "" {
			ex = si.example
		}
		out = append(out, inventory.Parameter{Name: name, In: "body", Required: required[name], Type: si.typ, Format: si.format, Example: ex})
	}
	return out
}

func collectProperties(s *base.Schema, depth int, props map[string]*base.SchemaProxy, order *[]string, required map[string]bool) {
	if s == nil || depth > maxSchemaDepth {
		return
	}
	for _, r := range s.Required {
		required[r] = true
	}
	if s.Properties != nil {
		for name, proxy := range s.Properties.FromOldest() {
			if len(*order) >= maxBodyProperties {
				return
			}
			if _, dup := props[name]; dup {
				continue
			}
			props[name] = proxy
			*order = append(*order, name)
		}
	}
	for _, sub := range s.AllOf {
		if sub != nil {
			collectProperties(sub.Schema(), depth+1, props, order, required)
		}
	}
}

// ---- Swagger 2.0 ----

// extractV2 is extractV3 for Swagger 2.0.
func extractV2(spec *Spec, doc *v2.Swagger, raw *rawDoc, only map[string]bool, room int, c *refCache) {
	if doc.Info != nil {
		spec.Title = doc.Info.Title
	}
	spec.host = doc.Host
	base := doc.BasePath
	if base == "" {
		base = "/"
	}
	spec.servers = []string{base}
	if doc.SecurityDefinitions != nil && doc.SecurityDefinitions.Definitions != nil {
		for name, s := range doc.SecurityDefinitions.Definitions.FromOldest() {
			if s == nil {
				continue
			}
			a := inventory.AuthScheme{Name: name, Type: s.Type, In: s.In, Param: s.Name}
			if s.Type == "basic" {
				a.Type, a.Scheme = "http", "basic"
			}
			spec.AuthSchemes = append(spec.AuthSchemes, a)
		}
	}
	if doc.Paths == nil || doc.Paths.PathItems == nil {
		return
	}
	for path, item := range doc.Paths.PathItems.FromOldest() {
		if item == nil || only != nil && !only[path] {
			continue
		}
		for method, op := range item.GetOperations().FromOldest() {
			if op == nil {
				continue
			}
			if len(spec.ops) >= room {
				spec.Warnings = append(spec.Warnings, fmt.Sprintf("the spec has more than %d operations; the rest were skipped", maxSpecOperations))
				spec.capped = true
				return
			}
			o := inventory.Operation{
				Method:      strings.ToUpper(method),
				Path:        path,
				OperationID: op.OperationId,
				Summary:     op.Summary,
				Tags:        append([]string(nil), op.Tags...),
				Deprecated:  op.Deprecated,
				Source:      inventory.SourceSpec,
			}
			sec := doc.Security
			if op.Security != nil || raw.operationHas(path, method, "security") {
				sec = op.Security // defined on the operation, possibly empty
			}
			o.Secured = requiresSecurity(sec)
			var itemRefs, opRefs []string
			if l := item.GoLow(); l != nil {
				itemRefs = refsOf(l.Parameters.Value)
			}
			if l := op.GoLow(); l != nil {
				opRefs = refsOf(l.Parameters.Value)
			}
			o.Parameters = mergeParams(paramsV2(item.Parameters, itemRefs, c), paramsV2(op.Parameters, opRefs, c))
			spec.ops = append(spec.ops, specOp{op: o})
		}
	}
}

// paramsV2 is paramsV3 for Swagger 2.0.
func paramsV2(ps []*v2.Parameter, refs []string, c *refCache) []inventory.Parameter {
	var out []inventory.Parameter
	for i, p := range ps {
		ref := ""
		if i < len(refs) {
			ref = refs[i]
		}
		out = append(out, c.param(ref, func() []inventory.Parameter { return paramV2(p, c) })...)
	}
	return out
}

func paramV2(p *v2.Parameter, c *refCache) []inventory.Parameter {
	if p == nil || p.In == "" {
		return nil
	}
	in := strings.ToLower(p.In)
	switch in {
	case "body":
		var s *base.Schema
		if p.Schema != nil {
			s = p.Schema.Schema()
		}
		params := bodyParams(s, nil, c)
		if len(params) == 0 {
			t, f := schemaType(s)
			params = []inventory.Parameter{{In: "body", Required: p.Required != nil && *p.Required, Type: t, Format: f}}
		}
		return params
	case "formdata":
		in = "body"
	}
	if p.Name == "" {
		return nil
	}
	ip := inventory.Parameter{Name: p.Name, In: in, Required: p.Required != nil && *p.Required, Type: p.Type, Format: p.Format}
	if in == "path" {
		ip.Required = true
	}
	var xExample *yaml.Node
	if p.Extensions != nil {
		xExample = p.Extensions.GetOrZero("x-example")
	}
	var enum0 *yaml.Node
	if len(p.Enum) > 0 {
		enum0 = p.Enum[0]
	}
	ip.Example = firstValue(xExample, p.Default, enum0)
	return []inventory.Parameter{ip}
}

// ---- shared ----

// mergeParams applies operation parameters over path-item parameters: the
// same name and location is overridden.
func mergeParams(pathLevel, opLevel []inventory.Parameter) []inventory.Parameter {
	key := func(p inventory.Parameter) string { return p.In + "\x00" + p.Name }
	override := map[string]bool{}
	for _, p := range opLevel {
		override[key(p)] = true
	}
	var out []inventory.Parameter
	for _, p := range pathLevel {
		if !override[key(p)] {
			out = append(out, p)
		}
	}
	return append(out, opLevel...)
}

// schemaType returns a schema's type and format. An OpenAPI 3.1 type array
// gives its first type other than "null".
func schemaType(s *base.Schema) (string, string) {
	if s == nil {
		return "", ""
	}
	t := ""
	for _, ty := range s.Type {
		if ty != "null" {
			t = ty
			break
		}
	}
	if t == "" {
		switch {
		case s.Properties != nil && s.Properties.Len() > 0:
			t = "object"
		case s.Items != nil:
			t = "array"
		case len(s.AllOf) > 0:
			if sub := s.AllOf[0]; sub != nil {
				if st, sf := schemaType(sub.Schema()); st != "" {
					return st, firstNonEmpty(s.Format, sf)
				}
			}
		}
	}
	return t, s.Format
}

// schemaExample is a schema's example, examples[0], default, const or enum[0].
func schemaExample(s *base.Schema) string {
	if s == nil {
		return ""
	}
	var ex0, enum0 *yaml.Node
	if len(s.Examples) > 0 {
		ex0 = s.Examples[0]
	}
	if len(s.Enum) > 0 {
		enum0 = s.Enum[0]
	}
	return firstValue(s.Example, ex0, s.Default, s.Const, enum0)
}

func firstExampleNode(m *orderedmap.Map[string, *base.Example]) *yaml.Node {
	if m == nil {
		return nil
	}
	for _, ex := range m.FromOldest() {
		if ex != nil && ex.Value != nil {
			return ex.Value
		}
	}
	return nil
}

func firstNonNil(ns ...*yaml.Node) *yaml.Node {
	for _, n := range ns {
		if n != nil {
			return n
		}
	}
	return nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// firstValue renders the first node that holds a value.
func firstValue(ns ...*yaml.Node) string {
	for _, n := range ns {
		if v, ok := nodeString(n); ok {
			return v
		}
	}
	return ""
}

// nodeString renders a YAML value as a string: scalars as written, objects
// and arrays as compact JSON. A null or missing node has no value.
func nodeString(n *yaml.Node) (string, bool) {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 8; i++ {
		n = n.Alias
	}
	if n == nil {
		return "", false
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "", false
		}
		return truncate(n.Value, maxExampleLen), true
	case yaml.MappingNode, yaml.SequenceNode:
		if budget := maxExampleNodes; !withinNodes(n, &budget, 0) {
			return "", false // too large to be a useful example, or an alias bomb
		}
		var v any
		if err := n.Decode(&v); err != nil {
			return "", false
		}
		b, err := json.Marshal(jsonable(v, 0))
		if err != nil {
			return "", false
		}
		return truncate(string(b), maxExampleLen), true
	}
	return "", false
}

// jsonable converts YAML-decoded values (map[any]any) into JSON-encodable ones.
func jsonable(v any, depth int) any {
	if depth > 16 {
		return nil
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = jsonable(e, depth+1)
		}
		return x
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[fmt.Sprint(k)] = jsonable(e, depth+1)
		}
		return m
	case []any:
		for i, e := range x {
			x[i] = jsonable(e, depth+1)
		}
		return x
	}
	return v
}

// objectExamples maps the top-level keys of an example object to values.
func objectExamples(n *yaml.Node) map[string]string {
	out := map[string]string{}
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 8; i++ {
		n = n.Alias
	}
	if n == nil || n.Kind != yaml.MappingNode {
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if v, ok := nodeString(n.Content[i+1]); ok {
			out[n.Content[i].Value] = v
		}
	}
	return out
}

// withinNodes reports whether the tree under n, aliases expanded, has at
// most *budget nodes.
func withinNodes(n *yaml.Node, budget *int, depth int) bool {
	if n == nil {
		return true
	}
	*budget--
	if *budget < 0 || depth > maxSchemaDepth*8 {
		return false
	}
	if n.Kind == yaml.AliasNode {
		return withinNodes(n.Alias, budget, depth+1)
	}
	for _, c := range n.Content {
		if !withinNodes(c, budget, depth+1) {
			return false
		}
	}
	return true
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// sortedKeys returns m's keys in order (for deterministic output).
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
