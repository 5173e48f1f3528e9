package sniff_test

import (
	"encoding/base64"
	"fmt"

	"github.com/parapet-scanner/parapet/internal/sniff"
)

func ExampleSniff() {
	// A cookie value: base64 of pickle.dumps(shop.models.Profile(...), protocol=4).
	cookie := "gASVLAAAAAAAAACMC3Nob3AubW9kZWxzlIwHUHJvZmlsZZSTlCmBlH2UjARuYW1llIwDYm9ilHNiLg=="
	for _, m := range sniff.Sniff(cookie) {
		fmt.Println(m.Format, m.Encoding, m.Classes, m.Strong)
		fmt.Println(m.Detail)
	}
	// Ordinary values yield nothing.
	fmt.Println(sniff.Sniff("0b6cf1a2-4b3e-4f5c-9d2a-7e1f3c5a9b0d"))
	// Output:
	// python-pickle base64 [shop.models.Profile] true
	// pickle protocol 4, 1 global reference, BUILD×1, NEWOBJ×1
	// []
}

func ExampleRubyMarshalClassRef() {
	// An inert class-not-found canary: Marshal.load raises ArgumentError
	// "undefined class/module ParapetCanary" before it builds anything.
	ref := sniff.RubyMarshalClassRef("ParapetCanary")
	fmt.Printf("%x\n", ref)
	fmt.Println(base64.StdEncoding.EncodeToString(ref))
	for _, m := range sniff.Sniff(string(ref)) {
		fmt.Println(m.Format, m.Classes, m.Strong)
	}
	// Output:
	// 04086f3a125061726170657443616e61727900
	// BAhvOhJQYXJhcGV0Q2FuYXJ5AA==
	// ruby-marshal [ParapetCanary] true
}
