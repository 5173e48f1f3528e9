package engine

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"syscall"
)

// Policy errors: the engine refused to send the request.
var (
	// ErrOutOfScope means the URL's host is not in scope or its path is excluded.
	ErrOutOfScope = errors.New("out of scope")
	// ErrMethodNotAllowed means the method policy forbids the request (for
	// example a PUT without --active, or any DELETE).
	ErrMethodNotAllowed = errors.New("method not allowed by the safety policy")
	// ErrBudgetExhausted means the scan has sent --max-requests requests.
	ErrBudgetExhausted = errors.New("request budget exhausted")
	// ErrDurationExceeded means the scan has run for --max-duration.
	ErrDurationExceeded = errors.New("scan duration budget exhausted")
	// ErrTargetFailing means the target failed so many requests in a row that
	// the engine stopped sending to it.
	ErrTargetFailing = errors.New("target keeps failing; scan stopped")
	// ErrBadURL means the URL could not be parsed or has a scheme other than http(s).
	ErrBadURL = errors.New("invalid URL")
)

// IsPolicy reports whether err is one of the engine's refusals rather than a
// network failure.
func IsPolicy(err error) bool {
	return errors.Is(err, ErrOutOfScope) || errors.Is(err, ErrMethodNotAllowed) ||
		errors.Is(err, ErrBudgetExhausted) || errors.Is(err, ErrDurationExceeded) ||
		errors.Is(err, ErrTargetFailing) || errors.Is(err, ErrBadURL)
}

// DescribeNetError turns a transport failure into one short line for a user.
func DescribeNetError(err error) string {
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var recErr tls.RecordHeaderError
	switch {
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return fmt.Sprintf("DNS lookup failed: host %q not found", dnsErr.Name)
		}
		return fmt.Sprintf("DNS lookup failed for %q: %s", dnsErr.Name, dnsErr.Err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by peer"
	case errors.As(err, &hostErr):
		return "TLS certificate is not valid for this host: " + hostErr.Error() + " (use --insecure to scan anyway)"
	case errors.As(err, &unknownAuth):
		return "TLS certificate signed by an unknown authority (use --insecure to scan anyway)"
	case errors.As(err, &invalid):
		return "TLS certificate is invalid: " + invalid.Error() + " (use --insecure to scan anyway)"
	case errors.As(err, &certErr):
		return "TLS certificate verification failed: " + certErr.Err.Error() + " (use --insecure to scan anyway)"
	case errors.As(err, &recErr):
		return "TLS handshake failed: the server did not answer with TLS"
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return "no response before the timeout"
	}
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err.Error()
	}
	return err.Error()
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
