package sniff

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// positiveSample is one line of testdata/positive/*.manifest.jsonl.
type positiveSample struct {
	File     string   `json:"file"`
	Format   Format   `json:"format"`
	Encoding string   `json:"encoding"`
	Classes  []string `json:"classes"`
	Exact    bool     `json:"exact"`
	Strong   bool     `json:"strong"`
	How      string   `json:"how"`
}

func loadPositive(t testing.TB) []positiveSample {
	t.Helper()
	files, err := filepath.Glob("testdata/positive/*.manifest.jsonl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	var out []positiveSample
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var s positiveSample
			if err := json.Unmarshal([]byte(line), &s); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			out = append(out, s)
		}
	}
	return out
}

// loadNegative returns every line of testdata/negative/*.txt with its origin.
func loadNegative(t testing.TB) (values, where []string) {
	t.Helper()
	files, err := filepath.Glob("testdata/negative/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no negative corpus: %v", err)
	}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		n := 0
		for sc.Scan() {
			n++
			if sc.Text() == "" {
				continue
			}
			values = append(values, sc.Text())
			where = append(where, filepath.Base(f)+":"+strconv.Itoa(n))
		}
		fh.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return values, where
}

func TestSniff_PositiveCorpus(t *testing.T) {
	samples := loadPositive(t)
	if len(samples) < 60 {
		t.Fatalf("positive corpus has %d samples, want at least 60", len(samples))
	}
	for _, s := range samples {
		t.Run(s.File, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata/positive", s.File))
			if err != nil {
				t.Fatal(err)
			}
			ms := Sniff(string(b))
			var m *Match
			for i := range ms {
				if ms[i].Format == s.Format {
					m = &ms[i]
					break
				}
			}
			if m == nil {
				t.Fatalf("no %s match; got %+v\n(sample: %s)", s.Format, ms, s.How)
			}
			if m.Encoding != s.Encoding {
				t.Errorf("encoding %q, want %q", m.Encoding, s.Encoding)
			}
			if m.Strong != s.Strong {
				t.Errorf("strong %v, want %v (detail %q)", m.Strong, s.Strong, m.Detail)
			}
			if s.Exact {
				if !slices.Equal(m.Classes, s.Classes) && !(len(m.Classes) == 0 && len(s.Classes) == 0) {
					t.Errorf("classes\n got %q\nwant %q", m.Classes, s.Classes)
				}
			} else {
				for _, c := range s.Classes {
					if !slices.Contains(m.Classes, c) {
						t.Errorf("classes %q lack %q", m.Classes, c)
					}
				}
			}
			if m.Detail == "" {
				t.Error("empty detail")
			}
			if m.Start < 0 || m.End > len(b) || m.Start >= m.End {
				t.Errorf("span [%d,%d) outside value of %d bytes", m.Start, m.End, len(b))
			}
		})
	}
}

func TestSniff_NegativeCorpus(t *testing.T) {
	values, where := loadNegative(t)
	if len(values) < 200 {
		t.Fatalf("negative corpus has %d values, want at least 200", len(values))
	}
	for i, v := range values {
		if ms := Sniff(v); len(ms) > 0 {
			t.Errorf("%s: %.80q matched %+v", where[i], v, ms)
		}
	}
}
