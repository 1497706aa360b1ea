package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages holds the parsed page templates and the static assets under
// their content-hashed names.
type pages struct {
	templates map[string]*template.Template // by page name, "landing"
	assets    map[string]asset              // by hashed name, "cairn.3f2a9c1e.css"
	urls      map[string]string             // plain name -> "/static/<hashed name>"
}

type asset struct {
	body        []byte
	contentType string
}

// contentSecurityPolicy allows the pages nothing but their own styles and
// images: no script, inline or not.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// parsePages parses every page with the layout and hashes the assets.
// Each page is its own template set so that pages can define the same
// blocks ("title", "main") without clashing.
func parsePages() (*pages, error) {
	p := &pages{templates: map[string]*template.Template{}, assets: map[string]asset{}, urls: map[string]string{}}
	err := fs.WalkDir(staticFS, "static", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		base := path.Base(name)
		ext := path.Ext(base)
		hashed := strings.TrimSuffix(base, ext) + "." + hex.EncodeToString(sum[:4]) + ext
		ct := map[string]string{".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon"}[ext]
		if ct == "" {
			ct = "application/octet-stream"
		}
		p.assets[hashed] = asset{body: b, contentType: ct}
		p.urls[base] = "/static/" + hashed
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: reading static assets: %w", err)
	}
	funcs := template.FuncMap{
		"asset": func(name string) (string, error) {
			u, ok := p.urls[name]
			if !ok {
				return "", fmt.Errorf("no static asset %q", name)
			}
			return u, nil
		},
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		base := strings.TrimSuffix(path.Base(name), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", name)
		if err != nil {
			return nil, fmt.Errorf("web: parsing page %s: %w", base, err)
		}
		p.templates[base] = t
	}
	return p, nil
}

// render answers with the page name filled with data.
func (s *Server) render(w http.ResponseWriter, status int, name string, data any) error {
	t, ok := s.pages.templates[name]
	if !ok {
		return fmt.Errorf("no page template %q", name)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return fmt.Errorf("rendering page %s: %w", name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
	return nil
}

// staticAsset serves an asset by its hashed name. The name changes with
// the content, so a browser may keep it for a year.
func (s *Server) staticAsset(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	a, ok := s.pages.assets[name]
	if !ok {
		return &requestError{status: http.StatusNotFound, detail: fmt.Sprintf("no static asset %q", name)}
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("Content-Length", strconv.Itoa(len(a.body)))
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(a.body)
	}
	return nil
}
