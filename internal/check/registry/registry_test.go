package registry

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/check/checktest"
)

var kindID = regexp.MustCompile(`^[a-z-]+/[a-z0-9-]+$`)

func TestRegistry_UniqueIDsAndKinds(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range All() {
		if seen[c.ID()] {
			t.Errorf("duplicate check id %s", c.ID())
		}
		seen[c.ID()] = true
		if !c.Category().Valid() {
			t.Errorf("%s: category %q is not one of CONTRACT.md's", c.ID(), c.Category())
		}
		if len(c.Kinds()) == 0 {
			t.Errorf("%s has no kinds", c.ID())
		}
		for _, k := range c.Kinds() {
			if !kindID.MatchString(k.ID) || !strings.HasPrefix(k.ID, string(c.Category())+"/") {
				t.Errorf("%s: kind id %q must be \"%s/<kind>\"", c.ID(), k.ID, c.Category())
			}
			if seen[k.ID] {
				t.Errorf("duplicate kind id %s", k.ID)
			}
			seen[k.ID] = true
			if k.Title == "" || k.Description == "" {
				t.Errorf("%s: kind needs a title and a description", k.ID)
			}
		}
	}
}

func TestRegistry_EveryCheckHasDocsAndFixtures(t *testing.T) {
	for _, c := range All() {
		doc := filepath.Join("..", "..", "..", "docs", "checks", string(c.Category())+".md")
		data, err := os.ReadFile(doc)
		if err != nil {
			t.Errorf("%s: no docs (%v)", c.ID(), err)
			continue
		}
		for _, k := range c.Kinds() {
			if !strings.Contains(string(data), k.ID) {
				t.Errorf("%s does not document %s", doc, k.ID)
			}
		}
		if _, ok := c.(check.WithFixtures); !ok {
			t.Errorf("%s ships no fixtures", c.ID())
		}
	}
}

// TestRegistry_Fixtures is the generic table test of CONVENTIONS.md: every
// check must report its kind on its vulnerable fixture and nothing of that
// kind on its safe one.
func TestRegistry_Fixtures(t *testing.T) {
	for _, c := range All() {
		wf, ok := c.(check.WithFixtures)
		if !ok {
			continue
		}
		for _, fx := range wf.Fixtures() {
			t.Run(c.ID()+"/"+fx.Name, func(t *testing.T) {
				o := checktest.Options{TLS: fx.TLS, Path: fx.Path}
				if got := checktest.Run(t, c, fx.Vulnerable, o); !checktest.Has(got, fx.Kind) {
					t.Errorf("vulnerable fixture: no %s", fx.Kind)
				}
				if got := checktest.Run(t, c, fx.Safe, o); checktest.Has(got, fx.Kind) {
					t.Errorf("safe fixture reports %s", fx.Kind)
				}
			})
		}
	}
}
