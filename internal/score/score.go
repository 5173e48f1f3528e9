// Package score turns findings into the 0–100 scores and A–F grades of the
// report. The formula is documented in docs/scoring.md and is deterministic:
// the same findings always give the same score, whatever their order.
package score

import (
	"math"
	"sort"

	"github.com/parapet-scanner/parapet/internal/finding"
)

// severityWeight is the share of a score one finding of that severity takes
// away at full confidence.
var severityWeight = map[finding.Severity]float64{
	finding.Critical: 0.60,
	finding.High:     0.30,
	finding.Medium:   0.12,
	finding.Low:      0.04,
	finding.Info:     0,
}

// confidenceFactor discounts findings the check is less sure of.
var confidenceFactor = map[finding.Confidence]float64{
	finding.Confirmed: 1.0,
	finding.Firm:      0.85,
	finding.Tentative: 0.6,
}

const (
	// repeatBonus is the extra weight each further finding of the same kind
	// adds, up to maxRepeats of them, so that one weakness repeated on many
	// endpoints counts more than once but does not swamp the score.
	repeatBonus = 0.15
	maxRepeats  = 4
	maxPenalty  = 0.95
)

// Result is the scoring of one scan.
type Result struct {
	Score int
	Grade string
	// Categories maps every category to its score, or nil when not tested.
	Categories map[finding.Category]*int
}

// Compute scores findings. tested lists the categories whose checks ran;
// the others are reported as not tested (nil).
func Compute(findings []finding.Finding, tested map[finding.Category]bool) Result {
	type kindAgg struct {
		cat   finding.Category
		worst float64
		n     int
	}
	kinds := map[string]*kindAgg{}
	for _, f := range findings {
		p := severityWeight[f.Severity] * confidenceFactor[f.Confidence]
		if p == 0 {
			continue // info findings weigh nothing, not even as repeats
		}
		k := kinds[f.Check]
		if k == nil {
			k = &kindAgg{cat: f.Category}
			kinds[f.Check] = k
		}
		k.n++
		if p > k.worst {
			k.worst = p
		}
	}
	names := make([]string, 0, len(kinds))
	for name := range kinds {
		names = append(names, name)
	}
	sort.Strings(names) // a fixed order keeps floating-point results identical run to run
	overall := 1.0
	perCat := map[finding.Category]float64{}
	for _, name := range names {
		k := kinds[name]
		p := k.worst * (1 + repeatBonus*float64(min(k.n-1, maxRepeats)))
		p = math.Min(p, maxPenalty)
		overall *= 1 - p
		if _, ok := perCat[k.cat]; !ok {
			perCat[k.cat] = 1
		}
		perCat[k.cat] *= 1 - p
	}
	res := Result{Score: toScore(overall), Categories: map[finding.Category]*int{}}
	res.Grade = Grade(res.Score)
	for _, c := range finding.Categories {
		if !tested[c] {
			if _, found := perCat[c]; !found {
				res.Categories[c] = nil
				continue
			}
		}
		v := 100
		if m, ok := perCat[c]; ok {
			v = toScore(m)
		}
		res.Categories[c] = &v
	}
	return res
}

func toScore(m float64) int {
	return int(math.Round(100 * m))
}

// Grade maps a score to a letter: A ≥ 90, B ≥ 80, C ≥ 70, D ≥ 60, F below.
func Grade(score int) string {
	switch {
	case score >= 90:
		return "A"
	case score >= 80:
		return "B"
	case score >= 70:
		return "C"
	case score >= 60:
		return "D"
	}
	return "F"
}
