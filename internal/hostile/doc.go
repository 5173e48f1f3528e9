// Package hostile holds the hostile-target suite: tests that run the real
// scan in-process against misbehaving test servers (redirect loops, bombs,
// endless or slow bodies, invalid responses, escape sequences, hostile specs)
// and assert that the scan finishes within its budget, never leaves scope,
// never reads local files outside the spec's tree and never lets a control
// sequence reach the terminal report. It has no non-test code.
package hostile
