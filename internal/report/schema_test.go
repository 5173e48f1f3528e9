package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/parapet-scanner/parapet/internal/report/reporttest"
)

func TestJSON_MatchesSchema(t *testing.T) {
	var buf bytes.Buffer
	if err := (JSON{}).Write(&buf, sampleReport()); err != nil {
		t.Fatal(err)
	}
	if err := reporttest.Validate(buf.Bytes()); err != nil {
		t.Fatal(err)
	}
}

func TestSchema_RejectsBrokenReport(t *testing.T) {
	var buf bytes.Buffer
	if err := (JSON{}).Write(&buf, sampleReport()); err != nil {
		t.Fatal(err)
	}
	for _, mutate := range []func(map[string]any){
		func(m map[string]any) { m["grade"] = "E" },
		func(m map[string]any) { delete(m, "findings") },
		func(m map[string]any) { delete(m["categories"].(map[string]any), "bola") },
		func(m map[string]any) { m["findings"].([]any)[0].(map[string]any)["severity"] = "severe" },
	} {
		var m map[string]any
		if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		mutate(m)
		bad, _ := json.Marshal(m)
		if reporttest.Validate(bad) == nil {
			t.Errorf("the schema accepted a broken report: %s", bad[:80])
		}
	}
}
