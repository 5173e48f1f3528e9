// Package fingerprint recognises the target's stack (framework, language,
// server, data store) from headers, cookies and error pages, so that findings
// can carry remediation for that stack.
package fingerprint

import (
	"sort"
	"sync"
)

// Tech is one component of the target's stack.
type Tech struct {
	// Name is a lowercase id such as "django", "express", "dynamodb".
	Name string `json:"name"`
	// Version is the version when disclosed, else "".
	Version string `json:"version"`
	// Evidence says what revealed it (masked, target text sanitized by writers).
	Evidence string `json:"evidence"`
}

// Stack collects Tech seen over a scan. Safe for concurrent use.
type Stack struct {
	mu    sync.RWMutex
	techs map[string]Tech
}

// NewStack returns an empty stack.
func NewStack() *Stack { return &Stack{techs: map[string]Tech{}} }

// Add records t; a version seen later fills one missing before.
func (s *Stack) Add(t Tech) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.techs[t.Name]
	if !ok || (old.Version == "" && t.Version != "") {
		s.techs[t.Name] = t
	}
}

// Has reports whether the stack includes the named component.
func (s *Stack) Has(name string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, ok := s.techs[name]
	return ok
}

// List returns the stack sorted by name.
func (s *Stack) List() []Tech {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Tech, 0, len(s.techs))
	for _, t := range s.techs {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
