package transport

import (
	"net/netip"
	"strings"
)

// cgnat is the shared address space of RFC 6598 (carrier-grade NAT, also used
// by overlay networks such as Tailscale); it is not reachable from the internet.
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// internalSuffixes are name suffixes that never resolve on the public internet:
// special-use names (RFC 6761, RFC 8375), names reserved for private use
// (.internal) and names in common use on private networks.
var internalSuffixes = []string{
	".localhost", ".local", ".internal", ".test", ".example", ".invalid",
	".home.arpa", ".lan", ".intranet", ".corp", ".home", ".localdomain",
}

// InternalHost reports whether a URL host (no port, no brackets) names a
// loopback, private, link-local or otherwise internal address, deciding on
// the literal alone: a hostname is never resolved. IP literals are judged by
// their range; single-label names and the special-use suffixes in
// internalSuffixes count as internal; every other hostname is public.
func InternalHost(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if h == "" {
		return false
	}
	if a, err := netip.ParseAddr(h); err == nil {
		a = a.Unmap()
		return a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() ||
			a.IsLinkLocalMulticast() || a.IsUnspecified() || cgnat.Contains(a)
	}
	if !strings.Contains(h, ".") {
		return true // localhost, a bare intranet name, a container name
	}
	for _, s := range internalSuffixes {
		if strings.HasSuffix(h, s) {
			return true
		}
	}
	return false
}

// loopbackHost reports whether host is a loopback literal or a name that
// always means this machine (localhost and *.localhost).
func loopbackHost(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if a, err := netip.ParseAddr(h); err == nil {
		return a.Unmap().IsLoopback()
	}
	return h == "localhost" || strings.HasSuffix(h, ".localhost")
}

// ipLiteral reports whether host is an IP address rather than a name.
func ipLiteral(host string) bool {
	_, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil
}
