package deser

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"

	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/finding"
	"github.com/parapet-scanner/parapet/internal/fingerprint"
)

// storeDynamoDB is details.store of a blob kept in DynamoDB.
const storeDynamoDB = "dynamodb"

// Limits of the DynamoDB walk of one document.
const (
	maxDynamoNodes = 20000
	maxDynamoBody  = 1 << 20
)

// dynamoAttr says where a string of a JSON response sits in DynamoDB wire
// format: the item's top-level attribute, the document path inside it
// ("prefs.blob", "history[2]") and the type descriptor of the value ("B",
// "S", "BS", …).
type dynamoAttr struct {
	attribute string
	path      string
	typ       string
}

// dynamoShape finds a DynamoDB type descriptor opening an object, the quick
// test before a body is decoded to look for DynamoDB items.
var dynamoShape = regexp.MustCompile(`\{\s*"(?:S|N|B|M|L|SS|NS|BS|BOOL|NULL)"\s*:`)

// dynamoNumber is the text of a DynamoDB number ("N" values are strings).
var dynamoNumber = regexp.MustCompile(`^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$`)

// dynamoEnvelope are the keys of DynamoDB API responses and stream records
// whose value is one item (GetItem's Item, UpdateItem's Attributes, a
// Query's LastEvaluatedKey, a stream record's NewImage …).
// Their value is one item or, for Items and Keys, a list of items.
var dynamoEnvelope = []string{"Item", "Items", "Attributes", "LastEvaluatedKey", "Key", "Keys", "NewImage", "OldImage", "ExclusiveStartKey"}

// attrType returns the type descriptor of v when v is one DynamoDB
// AttributeValue: an object with exactly one descriptor key whose value has
// that descriptor's JSON type ({"S": "x"}, {"N": "1"}, {"B": "<base64>"},
// {"M": {...}}, {"L": [...]}, {"BOOL": true}, {"NULL": true}, sets).
func attrType(v any, depth int, n *int) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 || depth > maxJSONDepth {
		return "", false
	}
	if *n++; *n > maxDynamoNodes {
		return "", false
	}
	for k, x := range m {
		switch k {
		case "S":
			_, ok := x.(string)
			return k, ok
		case "N":
			s, ok := x.(string)
			return k, ok && dynamoNumber.MatchString(s)
		case "B":
			s, ok := x.(string)
			return k, ok && isStdBase64(s)
		case "BOOL":
			_, ok := x.(bool)
			return k, ok
		case "NULL":
			b, ok := x.(bool)
			return k, ok && b
		case "M":
			mm, ok := x.(map[string]any)
			if !ok {
				return "", false
			}
			for _, e := range mm {
				if _, ok := attrType(e, depth+1, n); !ok {
					return "", false
				}
			}
			return k, true
		case "L":
			l, ok := x.([]any)
			if !ok {
				return "", false
			}
			for _, e := range l {
				if _, ok := attrType(e, depth+1, n); !ok {
					return "", false
				}
			}
			return k, true
		case "SS", "NS", "BS":
			l, ok := x.([]any)
			if !ok || len(l) == 0 {
				return "", false
			}
			for _, e := range l {
				s, ok := e.(string)
				if !ok || k == "NS" && !dynamoNumber.MatchString(s) || k == "BS" && !isStdBase64(s) {
					return "", false
				}
			}
			return k, true
		}
	}
	return "", false
}

// isStdBase64 reports whether s is standard, padded base64, the encoding
// DynamoDB JSON uses for binary values.
func isStdBase64(s string) bool {
	if len(s)%4 != 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
		case c == '=' && i >= len(s)-2:
		default:
			return false
		}
	}
	return true
}

// itemStrength tells whether m is a DynamoDB item (a map of attribute
// names to AttributeValues) and, when it is, whether it is one without any
// envelope around it: at least two attributes, or a non-empty map or list
// of typed values. One {"S": "x"} under an ordinary key is not enough.
func itemStrength(v any, n *int) (item, standalone bool) {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return false, false
	}
	nested := false
	for _, e := range m {
		typ, ok := attrType(e, 1, n)
		if !ok {
			return false, false
		}
		if typ == "M" || typ == "L" {
			if inner := e.(map[string]any)[typ]; lenOf(inner) > 0 {
				nested = true
			}
		}
	}
	return true, len(m) >= 2 || nested
}

func lenOf(v any) int {
	switch x := v.(type) {
	case map[string]any:
		return len(x)
	case []any:
		return len(x)
	}
	return 0
}

// dynamoIndex finds the DynamoDB items in a decoded JSON document and
// returns, keyed by the path walkJSON gives each string ("Item.profile.B",
// "Items[0].prefs.M.blob.B"), where every string inside them sits, and the
// number of items found.
func dynamoIndex(doc any) (map[string]dynamoAttr, int) {
	ix := map[string]dynamoAttr{}
	n, items := 0, 0
	var walk func(v any, path string, depth int)
	walk = func(v any, path string, depth int) {
		if depth > maxJSONDepth || n > maxDynamoNodes {
			return
		}
		n++
		switch x := v.(type) {
		case map[string]any:
			if item, standalone := itemStrength(x, &n); item && standalone && !isAttrValue(x, &n) {
				// An object of two or more typed attributes (or nested
				// typed values) is an item wherever it sits; one
				// {"S": "x"} under an ordinary key is not.
				items++
				indexItem(ix, x, path)
				return
			}
			for k, e := range x {
				p := joinPath(path, k)
				if envelopeKey(k) {
					if c := indexItems(ix, e, p, &n); c > 0 {
						items += c
						continue
					}
				}
				if k == "Responses" {
					// BatchGetItem: {"Responses": {"<table>": [items]}}.
					if tables, ok := e.(map[string]any); ok {
						for table, l := range tables {
							if c := indexItems(ix, l, joinPath(p, table), &n); c > 0 {
								items += c
							} else {
								walk(l, joinPath(p, table), depth+2)
							}
						}
						continue
					}
				}
				walk(e, p, depth+1)
			}
		case []any:
			for i, e := range x {
				walk(e, path+"["+strconv.Itoa(i)+"]", depth+1)
			}
		}
	}
	walk(doc, "", 0)
	return ix, items
}

// isAttrValue reports whether m is itself one AttributeValue ({"S": …}),
// which a two-key or nested test must not mistake for an item.
func isAttrValue(m map[string]any, n *int) bool {
	_, ok := attrType(m, 0, n)
	return ok
}

func envelopeKey(k string) bool {
	for _, e := range dynamoEnvelope {
		if k == e {
			return true
		}
	}
	return false
}

// indexItems indexes v when it is an item or a non-empty list of items, and
// returns how many items it held.
func indexItems(ix map[string]dynamoAttr, v any, path string, n *int) int {
	if item, _ := itemStrength(v, n); item {
		indexItem(ix, v.(map[string]any), path)
		return 1
	}
	l, ok := v.([]any)
	if !ok || len(l) == 0 || !allItems(l, n) {
		return 0
	}
	for i, it := range l {
		indexItem(ix, it.(map[string]any), path+"["+strconv.Itoa(i)+"]")
	}
	return len(l)
}

func allItems(l []any, n *int) bool {
	for _, e := range l {
		if item, _ := itemStrength(e, n); !item {
			return false
		}
	}
	return true
}

func joinPath(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// indexItem records every string of one item under its walkJSON path.
func indexItem(ix map[string]dynamoAttr, item map[string]any, path string) {
	for name, av := range item {
		indexValue(ix, av, joinPath(path, name), name, name, 0)
	}
}

func indexValue(ix map[string]dynamoAttr, av any, path, top, doc string, depth int) {
	m, ok := av.(map[string]any)
	if !ok || depth > maxJSONDepth || len(ix) > maxJSONStrings {
		return
	}
	for typ, x := range m {
		p := path + "." + typ
		switch typ {
		case "S", "N", "B":
			ix[p] = dynamoAttr{attribute: top, path: doc, typ: typ}
		case "SS", "NS", "BS":
			l, _ := x.([]any)
			for i := range l {
				ix[p+"["+strconv.Itoa(i)+"]"] = dynamoAttr{attribute: top, path: doc + "[" + strconv.Itoa(i) + "]", typ: typ}
			}
		case "M":
			mm, _ := x.(map[string]any)
			for k, e := range mm {
				indexValue(ix, e, p+"."+k, top, doc+"."+k, depth+1)
			}
		case "L":
			l, _ := x.([]any)
			for i, e := range l {
				indexValue(ix, e, p+"["+strconv.Itoa(i)+"]", top, doc+"["+strconv.Itoa(i)+"]", depth+1)
			}
		}
	}
}

// dynamoIndexOf decodes body and indexes its DynamoDB items; nil when the
// body shows no DynamoDB type descriptor.
func dynamoIndexOf(body []byte) (map[string]dynamoAttr, int) {
	if len(body) > maxDynamoBody || !dynamoShape.Match(body) {
		return nil, 0
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&doc) != nil {
		return nil, 0
	}
	return dynamoIndex(doc)
}

// DetectStack implements check.StackDetector: a JSON response carrying
// DynamoDB items in wire format (GetItem, Query and Scan responses, or
// items an API passes through) shows that the application reads DynamoDB.
func (*Check) DetectStack(ex *engine.Exchange) []fingerprint.Tech {
	body := bytes.TrimSpace(ex.Body)
	if len(body) < minValueLen || (body[0] != '{' && body[0] != '[') {
		return nil
	}
	if _, items := dynamoIndexOf(body); items > 0 {
		return []fingerprint.Tech{{Name: fingerprint.DynamoDB, Evidence: "DynamoDB items in wire format (typed attribute values) in a JSON response"}}
	}
	return nil
}

// dynamoRisk is what a finding adds to its description when the object is
// kept in DynamoDB.
const dynamoRisk = "anyone who can write the item — another service, a leaked or over-privileged credential, an injection elsewhere — " +
	"gets code execution in every service that reads it, and the stored object fires again on every read until it is removed."

// addStore marks a finding whose object is kept in DynamoDB: the value sat
// in a DynamoDB item in wire format, or the stack includes DynamoDB.
func addStore(f *finding.Finding, t *check.Target, dyn *dynamoAttr) {
	if dyn == nil && !t.Has(fingerprint.DynamoDB) {
		return
	}
	if f.Details == nil {
		f.Details = map[string]any{}
	}
	f.Details["store"] = storeDynamoDB
	if dyn != nil {
		f.Details["attribute"] = dyn.attribute
		f.Details["attribute_type"] = dyn.typ
		if dyn.path != dyn.attribute {
			f.Details["attribute_path"] = dyn.path
		}
		f.Description += fmt.Sprintf(" The value is the %s attribute %q of a DynamoDB item in the response: the application keeps these objects in DynamoDB, "+
			"and restoring one builds whatever it names before any validation can run, so %s", attrTypeName(dyn.typ), dyn.path, dynamoRisk)
		return
	}
	f.Description += " The stack includes DynamoDB: if the application keeps these objects there, restoring one builds whatever it names before any validation can run, and " + dynamoRisk
}

// attrTypeName names a DynamoDB type descriptor for the description.
func attrTypeName(typ string) string {
	switch typ {
	case "B":
		return "binary (B)"
	case "BS":
		return "binary set (BS)"
	case "S":
		return "string (S)"
	case "SS":
		return "string set (SS)"
	}
	return typ
}
