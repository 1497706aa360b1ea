package web

import (
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
)

// arrival is how a request reached the server, worked out once per
// request (in ServeHTTP) from the connection, the server's configuration
// and, only when the connection comes from a trusted proxy, the proxy's
// X-Forwarded-For and X-Forwarded-Proto headers. Handlers read it rather
// than r.TLS, r.RemoteAddr or r.Host, so that a request through a proxy
// is treated like one that came straight from the person's browser.
type arrival struct {
	// client is the address of the person's machine, without a port: what
	// sign-in attempts are limited by and what the log records.
	client string
	// secure says the browser reached cairn over TLS: cookies are then
	// Secure and responses carry HSTS.
	secure bool
	// base is scheme://host of the address people open cairn at, without
	// a trailing slash, for the absolute links the server writes.
	base string
}

// arrivalOf returns how the request reached the server. A request that
// did not come through ServeHTTP (a test calling a handler) is taken as
// plain HTTP from an unknown client, with links relative to the site.
func arrivalOf(r *http.Request) arrival {
	return stateOf(r).arrival
}

// arrive works out how r reached the server.
func (s *Server) arrive(r *http.Request) arrival {
	a := arrival{client: r.RemoteAddr, secure: r.TLS != nil}
	peer, peerOK := parseHostAddr(r.RemoteAddr)
	if peerOK {
		a.client = peer.String()
	}
	proxied := peerOK && s.trusted(peer)
	if proxied {
		if c, ok := s.forwardedFor(peer, r.Header.Values("X-Forwarded-For")); ok {
			a.client = c.String()
		}
		if proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ","); strings.EqualFold(strings.TrimSpace(proto), "https") {
			a.secure = true
		}
	}
	if s.publicURL != nil {
		a.base = s.publicURL.String()
		if s.publicURL.Scheme == "https" {
			a.secure = true
		}
		return a
	}
	scheme := "http"
	if a.secure {
		scheme = "https"
	}
	a.base = scheme + "://" + r.Host
	return a
}

// trusted says whether addr is one of the trusted proxies.
func (s *Server) trusted(addr netip.Addr) bool {
	for _, p := range s.trustedProxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// forwardedFor finds the client's address in the X-Forwarded-For headers
// of a request from the trusted proxy peer. Each proxy appends the
// address it received the request from, so the list is read from the
// right: the first address that is not itself a trusted proxy is the one
// a trusted proxy saw the request come from. What lies to its left the
// client may have written, and is ignored. An entry that is not an
// address stops the walk at the last trusted proxy: a client cannot
// choose its key by writing nonsense.
func (s *Server) forwardedFor(peer netip.Addr, headers []string) (netip.Addr, bool) {
	var hops []string
	for _, h := range headers {
		hops = append(hops, strings.Split(h, ",")...)
	}
	last := peer
	for i := len(hops) - 1; i >= 0; i-- {
		addr, ok := parseHostAddr(strings.TrimSpace(hops[i]))
		if !ok {
			return last, true
		}
		if !s.trusted(addr) {
			return addr, true
		}
		last = addr
	}
	// Every hop is a trusted network: the client is inside one of them,
	// and the left-most address is the one the first proxy saw.
	return last, len(hops) > 0
}

// parseHostAddr reads an IP address written alone ("192.0.2.7",
// "2001:db8::1"), with a port ("192.0.2.7:4711", "[2001:db8::1]:4711")
// or in brackets ("[2001:db8::1]"), as RemoteAddr and proxies write them.
// An IPv4 address mapped into IPv6 is returned as IPv4, so that it
// matches IPv4 networks.
func parseHostAddr(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

// ParsePublicURL checks the address people open cairn at, such as
// https://cairn.example.org, and returns it without a trailing slash.
// cairn serves its pages from the root of a site, so the address has no
// path, and it has no query or fragment either.
func ParsePublicURL(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("%q is not a URL: %w", s, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("%q: want an absolute http:// or https:// address, such as https://cairn.example.org", s)
	case u.Host == "" || u.Hostname() == "":
		return nil, fmt.Errorf("%q names no host: want an address such as https://cairn.example.org", s)
	case u.User != nil:
		return nil, fmt.Errorf("%q holds a user name or password: give the address people open, such as https://cairn.example.org", s)
	case u.RawQuery != "" || u.ForceQuery:
		return nil, fmt.Errorf("%q has a query (?...): give the address alone, such as https://cairn.example.org", s)
	case u.Fragment != "" || strings.Contains(s, "#"):
		return nil, fmt.Errorf("%q has a fragment (#...): give the address alone, such as https://cairn.example.org", s)
	case strings.TrimRight(u.EscapedPath(), "/") != "":
		return nil, fmt.Errorf("%q has a path: cairn is served from the root of its address; give it alone, such as https://cairn.example.org", s)
	}
	return &url.URL{Scheme: u.Scheme, Host: strings.ToLower(u.Host)}, nil
}

// ParseTrustedProxies reads a comma-separated list of networks
// ("10.0.0.0/8, 192.168.1.10") whose proxies are believed about the
// client's address and scheme. A single address is a network of one.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if strings.Contains(item, "/") {
			p, err := netip.ParsePrefix(item)
			if err != nil {
				return nil, fmt.Errorf("%q is not a network such as 10.0.0.0/8 or 2001:db8::/32", item)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(item)
		if err != nil || a.Zone() != "" {
			return nil, fmt.Errorf("%q is not a network such as 10.0.0.0/8 or an address such as 10.0.0.5", item)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}
