package deser

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/finding"
	"github.com/parapet-scanner/parapet/internal/fingerprint"
	"github.com/parapet-scanner/parapet/internal/mask"
)

// picklePadded is samplePickle in standard, padded base64, the way
// DynamoDB JSON carries a binary attribute.
var picklePadded = func() string {
	raw, err := base64.RawURLEncoding.DecodeString(samplePickle)
	if err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(raw)
}()

// Recorded shapes of DynamoDB JSON as APIs pass it through (API Gateway's
// DynamoDB integration without a mapping template, a Lambda returning the
// low-level client's answer, a stream consumer's debug endpoint).
var (
	dynGetItem = `{"Item":{"pk":{"S":"USER#42"},"sk":{"S":"PROFILE"},"email":{"S":"alice@example.com"},` +
		`"logins":{"N":"17"},"verified":{"BOOL":true},"deleted_at":{"NULL":true},"roles":{"SS":["customer","beta"]},` +
		`"profile":{"B":"` + "%s" + `"}}}`
	dynQuery = `{"Count":2,"Items":[` +
		`{"pk":{"S":"CART#9"},"sk":{"S":"LINE#1"},"qty":{"N":"2"},"state":{"B":"%s"}},` +
		`{"pk":{"S":"CART#9"},"sk":{"S":"LINE#2"},"qty":{"N":"1"},"state":{"B":"%s"}}],` +
		`"LastEvaluatedKey":{"pk":{"S":"CART#9"},"sk":{"S":"LINE#2"}},"ScannedCount":2,"ConsumedCapacity":{"TableName":"carts","CapacityUnits":0.5}}`
	dynNested = `{"Item": {"pk": {"S": "SESSION#abc"}, "data": {"M": {"user": {"S": "alice"}, "cache": {"M": {"blob": {"B": "%s"}}}}}, "history": {"L": [{"N": "1"}, {"B": "%s"}]}}}`
	dynBatch  = `{"Responses":{"sessions":[{"sid":{"S":"s1"},"obj":{"B":"%s"}}]},"UnprocessedKeys":{}}`
	dynStream = `{"Records":[{"eventName":"MODIFY","dynamodb":{"Keys":{"pk":{"S":"USER#1"}},"NewImage":{"pk":{"S":"USER#1"},"prefs":{"BS":["%s"]}},"StreamViewType":"NEW_IMAGE"}}]}`
	dynBare   = `{"ok":true,"record":{"pk":{"S":"USER#7"},"profile":{"B":"%s"}}}`
)

func fill(tmpl string) string { return strings.ReplaceAll(tmpl, "%s", picklePadded) }

func TestDynamoIndex_RecognisesWireFormat(t *testing.T) {
	cases := []struct {
		name     string
		body     string
		path     string // walkJSON path of the blob
		attr     string
		docPath  string
		typ      string
		minItems int
	}{
		{"GetItem", dynGetItem, "Item.profile.B", "profile", "profile", "B", 1},
		{"Query", dynQuery, "Items[1].state.B", "state", "state", "B", 3},
		{"nested map", dynNested, "Item.data.M.cache.M.blob.B", "data", "data.cache.blob", "B", 1},
		{"nested list", dynNested, "Item.history.L[1].B", "history", "history[1]", "B", 1},
		{"BatchGetItem", dynBatch, "Responses.sessions[0].obj.B", "obj", "obj", "B", 1},
		{"stream record", dynStream, "Records[0].dynamodb.NewImage.prefs.BS[0]", "prefs", "prefs[0]", "BS", 1},
		{"bare item in app JSON", dynBare, "record.profile.B", "profile", "profile", "B", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ix, items := dynamoIndexOf([]byte(fill(tc.body)))
			if items < tc.minItems {
				t.Fatalf("items = %d, want >= %d", items, tc.minItems)
			}
			a, ok := ix[tc.path]
			if !ok {
				t.Fatalf("no index entry for %q in %v", tc.path, ix)
			}
			if a.attribute != tc.attr || a.path != tc.docPath || a.typ != tc.typ {
				t.Fatalf("got %+v, want %s %s %s", a, tc.attr, tc.docPath, tc.typ)
			}
		})
	}
}

// Ordinary JSON whose keys happen to be DynamoDB's type descriptors must not
// be taken for DynamoDB.
func TestDynamo_OrdinaryJSONWithKeyS_IsNotDynamoDB(t *testing.T) {
	bodies := []string{
		`{"S":"` + picklePadded + `","size":"M"}`,                         // a top-level "S" field
		`{"sizes":{"S":"small","M":"medium","L":"large"}}`,                // a size chart
		`{"shirt":{"S":"` + picklePadded + `"},"id":7}`,                   // one "S" under an ordinary key
		`{"grades":{"S":3,"A":9},"B":"` + picklePadded + `"}`,             // wrong value types
		`{"Item":{"name":"lamp","blob":"` + picklePadded + `"}}`,          // an "Item" envelope of plain values
		`{"Items":[{"sku":"A1","state":{"B":"not base64!"}}]}`,            // B that is not base64
		`{"a":{"N":"many"},"b":{"S":"x"}}`,                                // N that is not a number
		`{"styles":{"B":"` + picklePadded + `","L":true}}`,                // two descriptor keys in one object
		`[{"S":"` + picklePadded + `"},{"S":"` + picklePadded + `"}]`,     // a list of lone {"S": …}
		`{"data":{"S":"` + picklePadded + `"},"meta":{"page":1,"S":"x"}}`, // a sibling that is not typed
	}
	for _, b := range bodies {
		if !json.Valid([]byte(b)) {
			t.Fatalf("invalid fixture %s", b)
		}
		if ix, items := dynamoIndexOf([]byte(b)); items != 0 || len(ix) != 0 {
			t.Errorf("%s: taken for DynamoDB (%d items, %v)", b[:40], items, ix)
		}
		ex := &engine.Exchange{Method: "GET", URL: "http://127.0.0.1/x", Status: 200,
			Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(b)}
		if got := New().DetectStack(ex); len(got) != 0 {
			t.Errorf("%s: DetectStack = %v", b[:40], got)
		}
		for _, f := range inspectJSON(t, b, nil) {
			if f.Details["store"] != nil {
				t.Errorf("%s: finding says store %v", b[:40], f.Details["store"])
			}
		}
	}
}

func TestDynamo_DetectStackOnWireFormat(t *testing.T) {
	for _, b := range []string{fill(dynGetItem), fill(dynQuery), `{"Items":[{"pk":{"S":"a"},"n":{"N":"1"}}],"Count":1,"ScannedCount":1}`} {
		ex := &engine.Exchange{Method: "GET", URL: "http://127.0.0.1/x", Status: 200,
			Header: http.Header{"Content-Type": {"application/x-amz-json-1.0"}}, Body: []byte(b)}
		got := New().DetectStack(ex)
		if len(got) != 1 || got[0].Name != fingerprint.DynamoDB {
			t.Errorf("%s: DetectStack = %v", b[:30], got)
		}
	}
}

// inspectJSON runs Inspect on one JSON response with the given stack.
func inspectJSON(t *testing.T, body string, stack []string) []finding.Finding {
	t.Helper()
	st := fingerprint.NewStack()
	for _, s := range stack {
		st.Add(fingerprint.Tech{Name: s})
	}
	tgt := &check.Target{Stack: st, Token: "pptest0token", Mask: &mask.Masker{}, Profile: check.ProfileStandard}
	var mu sync.Mutex
	var out []finding.Finding
	ex := &engine.Exchange{Method: "GET", URL: "http://127.0.0.1/api/profile", Status: 200,
		Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(body)}
	New().Inspect(tgt, ex, func(f finding.Finding) {
		f.Normalize()
		mu.Lock()
		out = append(out, f)
		mu.Unlock()
	})
	return out
}

func TestDynamo_PickleInBinaryAttribute_SaysDynamoDB(t *testing.T) {
	cases := []struct {
		name, body, param, attr, attrPath string
	}{
		{"GetItem", fill(dynGetItem), "Item.profile.B", "profile", ""},
		{"Query", fill(dynQuery), "Items[].state.B", "state", ""},
		{"nested", fill(dynNested), "Item.data.M.cache.M.blob.B", "data", "data.cache.blob"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got *finding.Finding
			for _, f := range inspectJSON(t, tc.body, []string{fingerprint.Django}) {
				if f.Location.Param == tc.param {
					got = &f
				}
			}
			if got == nil {
				t.Fatalf("no finding at %s", tc.param)
			}
			if got.Check != "deserialization/python-pickle" || got.Details["store"] != "dynamodb" || got.Details["attribute"] != tc.attr || got.Details["attribute_type"] != "B" {
				t.Fatalf("details = %v", got.Details)
			}
			if tc.attrPath != "" && got.Details["attribute_path"] != tc.attrPath {
				t.Fatalf("attribute_path = %v", got.Details["attribute_path"])
			}
			for _, want := range []string{"DynamoDB", "anyone who can write the item", "every service that reads it", "before any validation"} {
				if !strings.Contains(got.Description, want) {
					t.Errorf("description lacks %q: %s", want, got.Description)
				}
			}
			for _, want := range []string{"signing.loads", "TypeSerializer", "TypeDeserializer", "dynamodb:LeadingKeys", "dynamodb:Attributes", "no write permission"} {
				if !strings.Contains(got.Remediation, want) {
					t.Errorf("remediation lacks %q: %s", want, got.Remediation)
				}
			}
		})
	}
}

// A blob outside DynamoDB JSON on a target whose stack includes DynamoDB
// (a botocore error seen earlier) says so, without an attribute.
func TestDynamo_StackHasDynamoDB_CookieBlobSaysStore(t *testing.T) {
	got := inspectJSON(t, `{"user":"alice","state":"`+samplePickle+`"}`, []string{fingerprint.Flask, fingerprint.DynamoDB})
	if len(got) != 1 {
		t.Fatalf("got %d findings", len(got))
	}
	f := got[0]
	if f.Details["store"] != "dynamodb" || f.Details["attribute"] != nil {
		t.Fatalf("details = %v", f.Details)
	}
	if !strings.Contains(f.Description, "stack includes DynamoDB") || !strings.Contains(f.Remediation, "URLSafeTimedSerializer") || !strings.Contains(f.Remediation, "dynamodb:LeadingKeys") {
		t.Fatalf("description/remediation: %s / %s", f.Description, f.Remediation)
	}
	// Without DynamoDB in the stack, no store is claimed.
	plain := inspectJSON(t, `{"user":"alice","state":"`+samplePickle+`"}`, []string{fingerprint.Flask})
	if len(plain) != 1 || plain[0].Details["store"] != nil || strings.Contains(plain[0].Remediation, "DynamoDB") {
		t.Fatalf("plain: %+v", plain)
	}
}

// The blob of a DynamoDB attribute is probed as the parameter named after
// the attribute ("profile"), not after its type descriptor ("B").
func TestDynamo_EchoLocationIsAttributeName(t *testing.T) {
	tgt := &check.Target{Stack: fingerprint.NewStack(), Token: "pptest0token", Mask: &mask.Masker{}, Profile: check.ProfileStandard}
	c := New()
	ex := &engine.Exchange{Method: "GET", URL: "http://127.0.0.1/api/profile", Status: 200,
		Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(fill(dynGetItem))}
	c.Inspect(tgt, ex, func(finding.Finding) {})
	locs := c.state(tgt).snapshot()
	if len(locs) != 1 || locs[0].param != "profile" || locs[0].dyn == nil || locs[0].dyn.attribute != "profile" {
		for _, l := range locs {
			t.Logf("%+v", *l)
		}
		t.Fatalf("want one location for parameter profile with its DynamoDB attribute")
	}
}
