package casepkg

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"

	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/problem"
)

// packagePath is the path of a CASE server's package endpoint, under
// whatever prefix the server uses.
var packagePath = regexp.MustCompile(`/ims/case/v1p[01]/CFPackages/[^/]+$`)

// Fetch GETs a CASE package from a CASE server, at an address ending in
// /ims/case/v1p0/CFPackages/{identifier} or /ims/case/v1p1/CFPackages/{identifier},
// and parses it. client carries the timeouts and any authentication the
// server needs; nil means http.DefaultClient.
func Fetch(ctx context.Context, client *http.Client, rawURL string) (*Package, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, problem.Invalid("url", "%q is not an http or https address", rawURL)
	}
	if !packagePath.MatchString(u.Path) {
		return nil, problem.Invalid("url", "%q is not a CASE package address: it must end in /ims/case/v1p0/CFPackages/{identifier} or /ims/case/v1p1/CFPackages/{identifier}", rawURL)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("fetching CASE package %s: %w", rawURL, err)
	}
	req.Header.Set("Accept", "application/json")
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching CASE package %s: %w", rawURL, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, problem.Errorf(problem.KindNotFound, "fetching CASE package %s: the server has no such package", rawURL)
	case resp.StatusCode != http.StatusOK:
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
		return nil, fmt.Errorf("fetching CASE package %s: the server answered %s: %q", rawURL, resp.Status, snippet)
	case resp.ContentLength > MaxPackageSize:
		// Parse would stop at the limit too; this does not start.
		return nil, oneProblem(rawURL, 0, 0, "", fmt.Sprintf("the server sends %s: larger than the %s a CASE package may be", limits.Bytes(resp.ContentLength), limits.Bytes(MaxPackageSize)))
	}
	return Parse(resp.Body, rawURL)
}
