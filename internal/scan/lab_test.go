package scan_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/parapet-scanner/parapet/internal/finding"
	"github.com/parapet-scanner/parapet/internal/report"
	"github.com/parapet-scanner/parapet/internal/scan"
)

// labURL returns the URL of a running lab from the environment (scripts/test.sh
// starts the labs and sets it). Outside CI a missing lab skips the test; in CI
// it fails, so the integration tests can never silently not run.
func labURL(t *testing.T, env string) string {
	t.Helper()
	u := os.Getenv(env)
	if u == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set: scripts/test.sh must start the labs in CI", env)
		}
		t.Skipf("%s not set; run scripts/test.sh to start the labs", env)
	}
	return u
}

func scanLab(t *testing.T, url string) *report.Report {
	t.Helper()
	rep, err := scan.Run(context.Background(), scan.Config{Target: url, Runtime: scan.Runtime{Version: "test"}})
	if err != nil {
		t.Fatalf("scan %s: %v", url, err)
	}
	return rep
}

func byCheck(rep *report.Report) map[string][]finding.Finding {
	out := map[string][]finding.Finding{}
	for _, f := range rep.Findings {
		out[f.Check] = append(out[f.Check], f)
	}
	return out
}

func TestLab_DjangoDynamo_Vulnerable(t *testing.T) {
	url := labURL(t, "PARAPET_LAB_DJANGO_URL")
	rep := scanLab(t, url)
	got := byCheck(rep)
	for _, want := range []string{
		"deserialization/python-pickle", // profile cookie and the cart's state field
		"data-exposure/debug-page",      // DEBUG=True technical 404/500
		"data-exposure/internal-error",  // botocore ValidationException
		"data-exposure/secret",          // AWS access key id on /api/config/
		"data-exposure/personal-data",   // card number and SSN on /api/users/
		"input-validation/cors",         // any origin reflected with credentials
		"input-validation/security-headers",
		"encryption/cookie-flags", // profile cookie without HttpOnly/SameSite
		"encryption/plain-http",   // info on loopback
		"inventory/version-banner",
	} {
		if len(got[want]) == 0 {
			t.Errorf("vulnerable lab: no %s finding", want)
		}
	}
	// The pickle restored from the profile cookie and from ?state= on the cart
	// is proven with a class-not-found canary, and the report carries the proof.
	proven := map[string]bool{}
	for _, f := range got["deserialization/python-pickle"] {
		if f.Confidence == finding.Confirmed && f.Severity == finding.Critical && f.Details["proof"] == "canary-class-not-found" {
			proven[f.Location.In+" "+f.Location.Param] = true
			if len(f.Evidence) == 0 || !strings.Contains(f.Evidence[0].Response, "parapet_canary_") {
				t.Errorf("%s %s: the first evidence is not the canary's answer", f.Location.In, f.Location.Param)
			}
		}
	}
	for _, want := range []string{"cookie profile", "query state"} {
		if !proven[want] {
			t.Errorf("pickle in %s not confirmed (proven: %v)", want, proven)
		}
	}
	stack := map[string]bool{}
	for _, s := range rep.Stack {
		stack[s.Name] = true
	}
	if !stack["django"] || !stack["dynamodb"] {
		t.Errorf("stack %v: want django and dynamodb", rep.Stack)
	}
	if rep.Grade != "F" {
		t.Errorf("grade %s (score %d): the vulnerable lab must fail", rep.Grade, rep.Score)
	}
	if rep.Stats.Requests >= 500 {
		t.Errorf("%d requests: the default scan of this lab must stay under 500", rep.Stats.Requests)
	}
	// Secrets and personal data the lab leaks must never appear unmasked.
	for _, f := range rep.Findings {
		for _, e := range f.Evidence {
			for _, raw := range []string{"AKIAPARAPETLAB7Q2XZ3", "4111111111111111", "123-45-6789"} {
				if strings.Contains(e.Request+e.Response+e.Note, raw) {
					t.Errorf("%s evidence shows %q unmasked", f.Check, raw)
				}
			}
		}
	}
}

func TestLab_DjangoDynamo_Fixed(t *testing.T) {
	url := labURL(t, "PARAPET_LAB_DJANGO_FIXED_URL")
	rep := scanLab(t, url)
	for _, f := range rep.Findings {
		if f.Severity.Rank() > finding.Low.Rank() {
			t.Errorf("fixed lab: %s %s at %s %s (%s)", f.Severity, f.Check, f.Location.Path, f.Location.Param, f.Title)
		}
	}
	if rep.Grade != "A" && rep.Grade != "B" {
		t.Errorf("fixed lab graded %s (score %d)", rep.Grade, rep.Score)
	}
}

// deserLabs are the labs of the deserialization issue: each vulnerable
// variant really restores objects from client data; each fixed variant must
// yield no deserialization finding at all.
var deserLabs = []struct {
	name, env string
	check     string             // the finding kind the vulnerable variant must yield
	want      finding.Confidence // the least confidence it must reach
}{
	{"django-dynamo", "PARAPET_LAB_DJANGO", "deserialization/python-pickle", finding.Confirmed},
	{"express-node-serialize", "PARAPET_LAB_EXPRESS", "deserialization/json-type-indicator", finding.Confirmed},
	{"php-unserialize", "PARAPET_LAB_PHP", "deserialization/php-serialize", finding.Confirmed},
	{"ruby-marshal", "PARAPET_LAB_RUBY", "deserialization/ruby-marshal", finding.Confirmed}, // generic 500s: proven by the control class
	{"java-objectinputstream", "PARAPET_LAB_JAVA", "deserialization/java-serialization", finding.Confirmed},
	{"flask-yaml-jsonpickle", "PARAPET_LAB_FLASK", "deserialization/yaml-tags", finding.Confirmed},
}

func confidenceRank(c finding.Confidence) int {
	return map[finding.Confidence]int{finding.Tentative: 0, finding.Firm: 1, finding.Confirmed: 2}[c]
}

func TestLab_Deserialization(t *testing.T) {
	for _, lab := range deserLabs {
		t.Run(lab.name, func(t *testing.T) {
			vuln := scanLab(t, labURL(t, lab.env+"_URL"))
			best := finding.Confidence("")
			for _, f := range vuln.Findings {
				if f.Check == lab.check && (best == "" || confidenceRank(f.Confidence) > confidenceRank(best)) {
					best = f.Confidence
				}
			}
			if best == "" || confidenceRank(best) < confidenceRank(lab.want) {
				t.Errorf("vulnerable: best %s finding is %q, want at least %s", lab.check, best, lab.want)
			}
			if vuln.Stats.Requests >= 2000 {
				t.Errorf("vulnerable: %d requests, over the default budget", vuln.Stats.Requests)
			}
			fixed := scanLab(t, labURL(t, lab.env+"_FIXED_URL"))
			for _, f := range fixed.Findings {
				if f.Category == finding.Deserialization {
					t.Errorf("fixed: %s %s at %s %s %s", f.Severity, f.Check, f.Location.Path, f.Location.In, f.Location.Param)
				}
			}
		})
	}
}
