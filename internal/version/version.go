// Package version tells which Parapet build is running. The release build sets
// Version with -ldflags "-X github.com/parapet-scanner/parapet/internal/version.Version=v1.2.3";
// otherwise it comes from the module's build information.
package version

import "runtime/debug"

// Version is set at link time; empty means "ask the build information".
var Version string

// String returns the version of this build, "devel" when none is recorded.
func String() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
