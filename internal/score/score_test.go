package score

import (
	"testing"

	"github.com/parapet-scanner/parapet/internal/finding"
)

func f(check string, sev finding.Severity, conf finding.Confidence) finding.Finding {
	x := finding.Finding{Check: check, Severity: sev, Confidence: conf}
	x.Normalize()
	return x
}

func TestGrade(t *testing.T) {
	for _, tc := range []struct {
		score int
		want  string
	}{{100, "A"}, {90, "A"}, {89, "B"}, {80, "B"}, {79, "C"}, {70, "C"}, {69, "D"}, {60, "D"}, {59, "F"}, {0, "F"}} {
		if got := Grade(tc.score); got != tc.want {
			t.Errorf("Grade(%d) = %s, want %s", tc.score, got, tc.want)
		}
	}
}

func TestCompute(t *testing.T) {
	tested := map[finding.Category]bool{finding.DataExposure: true, finding.Encryption: true}
	tests := []struct {
		name     string
		findings []finding.Finding
		want     int
	}{
		{"nothing found", nil, 100},
		{"info counts nothing", []finding.Finding{f("encryption/plain-http", finding.Info, finding.Confirmed)}, 100},
		{"one confirmed critical", []finding.Finding{f("data-exposure/secret", finding.Critical, finding.Confirmed)}, 40},
		{"one tentative medium", []finding.Finding{f("data-exposure/debug-page", finding.Medium, finding.Tentative)}, 93},
		{"repeats of a kind add a little", []finding.Finding{
			f("data-exposure/debug-page", finding.High, finding.Confirmed),
			f("data-exposure/debug-page", finding.High, finding.Confirmed),
		}, 66},
		{"two kinds multiply", []finding.Finding{
			f("data-exposure/debug-page", finding.High, finding.Confirmed),
			f("encryption/hsts", finding.Low, finding.Confirmed),
		}, 67},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Compute(tc.findings, tested)
			if r.Score != tc.want {
				t.Fatalf("score = %d, want %d", r.Score, tc.want)
			}
			if r.Grade != Grade(tc.want) {
				t.Fatalf("grade = %s", r.Grade)
			}
		})
	}
}

func TestCompute_UntestedCategoryIsNull(t *testing.T) {
	r := Compute(nil, map[finding.Category]bool{finding.Encryption: true})
	if len(r.Categories) != len(finding.Categories) {
		t.Fatalf("want all %d categories, got %d", len(finding.Categories), len(r.Categories))
	}
	if r.Categories[finding.BOLA] != nil {
		t.Fatal("bola was not tested and must be null")
	}
	if v := r.Categories[finding.Encryption]; v == nil || *v != 100 {
		t.Fatalf("encryption = %v, want 100", v)
	}
}

func TestCompute_OrderDoesNotMatter(t *testing.T) {
	a := []finding.Finding{
		f("data-exposure/secret", finding.High, finding.Firm),
		f("encryption/hsts", finding.Low, finding.Confirmed),
		f("data-exposure/personal-data", finding.Medium, finding.Tentative),
	}
	b := []finding.Finding{a[2], a[0], a[1]}
	if Compute(a, nil).Score != Compute(b, nil).Score {
		t.Fatal("score depends on finding order")
	}
}

func TestCompute_ManyFindingsNeverBelowZero(t *testing.T) {
	var fs []finding.Finding
	for _, c := range []string{"a/1", "a/2", "a/3", "a/4", "a/5", "a/6", "a/7", "a/8"} {
		for i := 0; i < 10; i++ {
			fs = append(fs, f(c, finding.Critical, finding.Confirmed))
		}
	}
	if s := Compute(fs, nil).Score; s < 0 || s > 100 {
		t.Fatalf("score %d out of range", s)
	}
}

func TestCompute_InfoFindingsAreNotRepeats(t *testing.T) {
	one := []finding.Finding{f("input-validation/dangerous-methods", finding.Medium, finding.Tentative)}
	withInfo := append(append([]finding.Finding(nil), one...),
		f("input-validation/dangerous-methods", finding.Info, finding.Tentative),
		f("input-validation/dangerous-methods", finding.Info, finding.Tentative))
	if a, b := Compute(one, nil).Score, Compute(withInfo, nil).Score; a != b {
		t.Fatalf("info findings changed the score: %d vs %d", a, b)
	}
}
