package finding

import "testing"

func TestFingerprint_StableAndLocationSensitive(t *testing.T) {
	loc := Location{Method: "get", Path: "/api/items/{id}", Param: "id", In: InPath, URL: "http://127.0.0.1/api/items/1"}
	a := Fingerprint("data-exposure/secret", loc)
	loc.URL = "http://127.0.0.1/api/items/2" // the concrete URL does not matter
	if b := Fingerprint("data-exposure/secret", loc); a != b {
		t.Fatal("the id changed with the concrete URL")
	}
	loc.Method = "GET"
	if b := Fingerprint("data-exposure/secret", loc); a != b {
		t.Fatal("the id changed with the method's case")
	}
	loc.Param = "other"
	if b := Fingerprint("data-exposure/secret", loc); a == b {
		t.Fatal("the id ignores the parameter")
	}
}

func TestMerge_StrongerProofLeadsAndKeepsItsEvidence(t *testing.T) {
	passive := Finding{Severity: High, Confidence: Tentative, Title: "seen", Details: map[string]any{"proof": nil},
		Evidence: []Evidence{{Request: "a"}, {Request: "b"}, {Request: "c"}}}
	proof := Finding{Severity: Critical, Confidence: Confirmed, Title: "proven", Details: map[string]any{"proof": "canary"},
		Evidence: []Evidence{{Request: "canary"}, {Request: "baseline"}}}
	passive.Merge(proof, 3)
	if passive.Title != "proven" || passive.Confidence != Confirmed || passive.Severity != Critical || passive.Details["proof"] != "canary" {
		t.Fatalf("merged = %+v", passive)
	}
	if len(passive.Evidence) != 3 || passive.Evidence[0].Request != "canary" || passive.Evidence[1].Request != "baseline" {
		t.Fatalf("evidence = %+v", passive.Evidence)
	}
	// A weaker finding arriving later changes nothing but may add evidence.
	proof2 := proof
	proof2.Evidence = []Evidence{{Request: "canary"}}
	proof2.Merge(Finding{Severity: High, Confidence: Tentative, Title: "seen", Evidence: []Evidence{{Request: "z"}}}, 3)
	if proof2.Title != "proven" || proof2.Confidence != Confirmed || len(proof2.Evidence) != 2 {
		t.Fatalf("weaker merge changed the finding: %+v", proof2)
	}
}
