// Package notify tells case systems what happened: it fans events out to
// webhook subscriptions, sends them signed as Standard Webhooks describes,
// retries them, and turns findings that went overdue into events on a
// schedule.
package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
)

// SendTimeout is how long a receiver has to answer a delivery.
const SendTimeout = 5 * time.Second

// errRefusedAddress marks a dial to an address webhooks may not reach.
var errRefusedAddress = errors.New("notify: the address is not allowed for webhooks")

// blocked lists ranges that are not loopback, private or link-local by
// netip's reckoning but still reach no public receiver, or reach the
// operator's own network.
var blocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and broadcast
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64, which can reach IPv4 private space
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2001:db8::/32"), // documentation
}

// PublicAddress reports whether a webhook may be sent to addr. Loopback,
// private (RFC 1918 and unique local), link-local (which holds the cloud
// metadata address 169.254.169.254), multicast, unspecified and reserved
// addresses are refused, in their IPv4-in-IPv6 forms too.
func PublicAddress(addr netip.Addr) bool {
	addr = addr.Unmap()
	if !addr.IsValid() || addr.IsLoopback() || addr.IsPrivate() || addr.IsLinkLocalUnicast() ||
		addr.IsLinkLocalMulticast() || addr.IsInterfaceLocalMulticast() || addr.IsMulticast() || addr.IsUnspecified() {
		return false
	}
	for _, p := range blocked {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}

// refusePrivate is a net.Dialer Control function: it runs after the name
// is resolved, on the very address about to be dialled, so a hostname that
// resolves to a private address (or is re-pointed to one after the URL was
// checked) is refused as surely as a literal one.
func refusePrivate(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", errRefusedAddress, network)
	}
	if !PublicAddress(ap.Addr()) {
		return errRefusedAddress
	}
	return nil
}

// NewClient returns the HTTP client deliveries go out on: a 5 s timeout,
// no redirects followed (a redirect is an answer other than 2xx, so it
// fails the attempt), no proxy from the environment (which would dial for
// us, past the check), and, unless allowPrivate, only public addresses.
func NewClient(allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: SendTimeout, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		dialer.Control = refusePrivate
	}
	transport := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          50,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   SendTimeout,
		ResponseHeaderTimeout: SendTimeout,
	}
	return &http.Client{
		Transport:     transport,
		Timeout:       SendTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// CheckURL refuses a subscription URL before it is stored: it must be an
// absolute https URL (http too when allowPrivate) with a host and no user
// information, and a literal address in it must be public. Names are
// checked again, with every address they resolve to, each time they are
// dialled.
func CheckURL(raw string, allowPrivate bool) error {
	bad := func(msg string) error { return domain.Invalid(domain.FieldError{Field: "url", Message: msg}) }
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return bad("must be an absolute URL")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && allowPrivate:
	default:
		return bad("must use https")
	}
	if u.User != nil {
		return bad("must not carry a user name or password")
	}
	if u.Fragment != "" {
		return bad("must not have a fragment")
	}
	if addr, err := netip.ParseAddr(u.Hostname()); err == nil && !allowPrivate && !PublicAddress(addr) {
		return bad("must not point at a loopback, private, link-local or reserved address")
	}
	return nil
}

// refused reports whether a send failed because the address was refused.
func refused(err error) bool { return errors.Is(err, errRefusedAddress) }

// timedOut reports whether a send failed for want of an answer in time.
func timedOut(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}
