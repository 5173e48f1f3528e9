package discover

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/pb33f/go-yaml"
)

// Bounds on a YAML document. The YAML parser's memory is many times the
// text: about 25× for block YAML, and well over 100× for a large flow
// collection ({…} or […]) that could be a mapping key, because the parser
// keeps every token of it until it knows. JSON has its own, lean parser.
const (
	// maxYAMLBytes is the largest YAML document (or $ref'd YAML file).
	maxYAMLBytes = 4 << 20
	// maxYAMLFlowBytes is the largest flow collection a YAML document may
	// hold.
	maxYAMLFlowBytes = 256 << 10
)

// errYAMLTooLarge and errYAMLFlow explain the YAML bounds to the user.
var (
	errYAMLTooLarge = fmt.Errorf("a YAML spec larger than %d MiB is not parsed (convert it to JSON, e.g. `yq -o=json`: JSON is read up to %d MiB)", maxYAMLBytes>>20, MaxSpecBytes>>20)
	errYAMLFlow     = fmt.Errorf("a YAML spec with a flow collection ({…} or […]) larger than %d KiB is not parsed (convert it to JSON, e.g. `yq -o=json`)", maxYAMLFlowBytes>>10)
)

// parseTreeShared parses a JSON or YAML document into a tree. JSON goes
// through the lean parser; YAML through the YAML library, within the YAML
// bounds. shared reports whether YAML aliases made nodes shared.
func parseTreeShared(data []byte) (n *cnode, shared bool, err error) {
	head := data[:min(len(data), 64)]
	trimmed := strings.TrimLeft(string(head), "\ufeff \t\r\n")
	if strings.HasPrefix(trimmed, "{") || strings.HasPrefix(trimmed, "[") {
		n, err := parseJSONTree(data)
		if err == nil || errors.Is(err, errTreeBounds) || len(data) > maxYAMLFlowBytes {
			return n, false, err
		}
		// Not JSON, but small enough to try as YAML ({openapi: 3.0.0, …}).
		if yn, shared, yerr := parseYAMLTree(data); yerr == nil {
			return yn, shared, nil
		}
		return nil, false, err
	}
	return parseYAMLTree(data)
}

func parseYAMLTree(data []byte) (*cnode, bool, error) {
	if len(data) > maxYAMLBytes {
		return nil, false, errYAMLTooLarge
	}
	if largestFlowCollection(data) > maxYAMLFlowBytes {
		return nil, false, errYAMLFlow
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, false, errors.New(oneLine(err.Error()))
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil, false, errors.New("empty document")
		}
		root = root.Content[0]
	}
	c := &yamlConverter{anchored: map[*yaml.Node]*cnode{}}
	n, err := c.convert(root, 0)
	if err != nil {
		return nil, false, err
	}
	// Aliases are not expanded here: a part that expands beyond bounds
	// (measure) is left out where it is used, not the whole document.
	return n, len(c.anchored) > 0, nil
}

// yamlConverter turns a yaml.Node tree into a cnode tree. Anchored nodes are
// converted once and shared by their aliases; merge keys (<<) are applied.
type yamlConverter struct {
	anchored map[*yaml.Node]*cnode
	nodes    int
}

// maxYAMLNodes bounds the nodes a conversion creates (aliases are shared,
// not copied, so this is about the text, not the expansion).
const maxYAMLNodes = 4 << 20

func (c *yamlConverter) convert(n *yaml.Node, depth int) (*cnode, error) {
	if depth > maxTreeHeight {
		return nil, errTreeBounds
	}
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n == nil {
		return &cnode{kind: cNull}, nil
	}
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return &cnode{kind: cNull}, nil
		}
		return c.convert(n.Content[0], depth+1)
	}
	if out, ok := c.anchored[n]; ok {
		if out == nil {
			return nil, fmt.Errorf("%w: a YAML alias contains itself", errTreeBounds)
		}
		return out, nil
	}
	if c.nodes++; c.nodes > maxYAMLNodes {
		return nil, errTreeBounds
	}
	shared := n.Anchor != ""
	if shared {
		c.anchored[n] = nil // being converted
	}
	var out *cnode
	switch n.Kind {
	case yaml.ScalarNode:
		out = yamlScalar(n)
	case yaml.SequenceNode:
		out = &cnode{kind: cArr, kids: make([]*cnode, 0, len(n.Content))}
		for _, e := range n.Content {
			v, err := c.convert(e, depth+1)
			if err != nil {
				return nil, err
			}
			out.kids = append(out.kids, v)
		}
	case yaml.MappingNode:
		var err error
		if out, err = c.mapping(n, depth); err != nil {
			return nil, err
		}
	default:
		out = &cnode{kind: cNull}
	}
	if shared {
		c.anchored[n] = out
	}
	return out, nil
}

// mapping converts a mapping; keys written in it win over merged ones, and
// earlier merged mappings over later ones.
func (c *yamlConverter) mapping(n *yaml.Node, depth int) (*cnode, error) {
	out := &cnode{kind: cObj, keys: make([]string, 0, len(n.Content)/2), kids: make([]*cnode, 0, len(n.Content)/2)}
	var index map[string]bool
	var merges []*cnode
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		for k != nil && k.Kind == yaml.AliasNode {
			k = k.Alias
		}
		if k == nil || k.Kind != yaml.ScalarNode {
			continue // a collection as a key: nothing OpenAPI uses
		}
		if k.ShortTag() == "!!merge" {
			mv, err := c.convert(v, depth+1)
			if err != nil {
				return nil, err
			}
			if mv.kind == cArr {
				merges = append(merges, mv.kids...)
			} else {
				merges = append(merges, mv)
			}
			continue
		}
		if hasKey(out, k.Value, &index) {
			continue
		}
		cv, err := c.convert(v, depth+1)
		if err != nil {
			return nil, err
		}
		out.keys = append(out.keys, k.Value)
		out.kids = append(out.kids, cv)
	}
	for _, m := range merges {
		if m == nil || m.kind != cObj {
			continue
		}
		for i, k := range m.keys {
			if !hasKey(out, k, &index) {
				out.keys = append(out.keys, k)
				out.kids = append(out.kids, m.kids[i])
			}
		}
	}
	return out, nil
}

// yamlScalar converts a scalar by its resolved tag: numbers become JSON
// numbers (0x1F, 1_000 and .inf are rewritten or kept as strings), true and
// false booleans, null null, anything else a string.
func yamlScalar(n *yaml.Node) *cnode {
	v := n.Value
	switch n.ShortTag() {
	case "!!null":
		return &cnode{kind: cNull}
	case "!!bool":
		if b, err := strconv.ParseBool(strings.ToLower(v)); err == nil {
			return &cnode{kind: cBool, val: strconv.FormatBool(b)}
		}
	case "!!int":
		if isJSONNumber(v) {
			return &cnode{kind: cNum, val: v}
		}
		if i, err := strconv.ParseInt(strings.ReplaceAll(v, "_", ""), 0, 64); err == nil {
			return &cnode{kind: cNum, val: strconv.FormatInt(i, 10)}
		}
	case "!!float":
		if isJSONNumber(v) {
			return &cnode{kind: cNum, val: v}
		}
		if f, err := strconv.ParseFloat(strings.ReplaceAll(v, "_", ""), 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return &cnode{kind: cNum, val: strconv.FormatFloat(f, 'g', -1, 64)}
		}
	}
	return &cnode{kind: cStr, val: v}
}

// isJSONNumber reports whether s is a number as JSON writes it.
func isJSONNumber(s string) bool {
	p := jsonParser{s: s}
	if s == "" || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) {
		return false
	}
	_, err := p.number()
	return err == nil && p.i == len(s)
}

// largestFlowCollection returns the length in bytes of the largest flow
// collection of a YAML text, found lexically: block structure, comments,
// quoted and block scalars are followed well enough to tell a bracket that
// opens a collection from one inside text. A collection that never closes
// runs to the end. It errs on the large side.
func largestFlowCollection(data []byte) int {
	s := string(data)
	largest := 0
	depth, flowStart := 0, 0
	var quote byte    // inside a quoted scalar
	blockIndent := -1 // inside a block scalar: the indentation of its parent
	lineStart := true
	indent := 0
	valueStart := true // at a place where a value may begin
	lineIndent := 0
	prev := byte('[') // the last significant character
	for i := 0; i < len(s); i++ {
		c := s[i]
		if lineStart {
			indent = 0
			for i < len(s) && s[i] == ' ' {
				indent++
				i++
			}
			if i >= len(s) {
				break
			}
			c = s[i]
			lineStart = false
			lineIndent = indent
			if blockIndent >= 0 {
				if c == '\n' || c == '\r' || indent > blockIndent {
					// block scalar content (or a blank line): skip the line
					for i < len(s) && s[i] != '\n' {
						i++
					}
					lineStart = true
					continue
				}
				blockIndent = -1
			}
			if depth == 0 && quote == 0 {
				valueStart = true
			}
		}
		if c == '\n' {
			lineStart = true
			continue
		}
		switch {
		case quote != 0:
			switch {
			case quote == '"' && c == '\\':
				i++
			case c == quote:
				if quote == '\'' && i+1 < len(s) && s[i+1] == '\'' {
					i++
				} else {
					quote = 0
					valueStart = false
				}
			}
		case c == ' ' || c == '\t' || c == '\r':
			continue // prev stays the last significant character
		case c == '#' && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t' || s[i-1] == '\n'):
			for i+1 < len(s) && s[i+1] != '\n' {
				i++
			}
		case depth > 0:
			switch c {
			case '"', '\'':
				if strings.IndexByte("[{,:", prev) >= 0 {
					quote = c // a quoted scalar, not an apostrophe in text
				}
			case '[', '{':
				depth++
			case ']', '}':
				depth--
				if depth == 0 {
					largest = max(largest, i-flowStart+1)
					valueStart = false
				}
			}
		case valueStart:
			switch c {
			case '[', '{':
				depth, flowStart = 1, i
			case '"', '\'':
				quote = c
			case '|', '>':
				blockIndent = lineIndent
				for i+1 < len(s) && s[i+1] != '\n' {
					i++
				}
			case '-', '?', ':':
				if i+1 < len(s) && s[i+1] != ' ' && s[i+1] != '\n' && s[i+1] != '\r' {
					valueStart = false // a plain scalar such as -1
				}
				// "- ", "? ", ": " : a value may follow
			case '&', '!':
				// an anchor or a tag before the value
				for i+1 < len(s) && s[i+1] != ' ' && s[i+1] != '\n' {
					i++
				}
			default:
				valueStart = false
			}
		default:
			// inside a plain scalar or after a value: ": " starts a value
			if c == ':' && (i+1 >= len(s) || s[i+1] == ' ' || s[i+1] == '\n' || s[i+1] == '\r') {
				valueStart = true
			}
		}
		prev = c
	}
	if depth > 0 {
		largest = max(largest, len(s)-flowStart)
	}
	return largest
}
