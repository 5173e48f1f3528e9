// Package registry is the one list of Parapet's checks. A new check is one
// package and one line here.
package registry

import (
	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/check/deser"
	"github.com/parapet-scanner/parapet/internal/check/exposure"
	"github.com/parapet-scanner/parapet/internal/check/input"
	"github.com/parapet-scanner/parapet/internal/check/inventory"
	"github.com/parapet-scanner/parapet/internal/check/transport"
)

// constructors builds every check, in the order they are listed by `parapet checks`.
var constructors = []func() check.Check{
	func() check.Check { return exposure.New() },
	func() check.Check { return input.New() },
	func() check.Check { return transport.New() },
	func() check.Check { return inventory.New() },
	func() check.Check { return deser.New() },
}

// All returns a fresh instance of every check.
func All() []check.Check {
	out := make([]check.Check, 0, len(constructors))
	for _, c := range constructors {
		out = append(out, c())
	}
	return out
}
