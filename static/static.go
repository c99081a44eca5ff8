// Package static owns the console's browser assets: our CSS and JavaScript and the htmx files
// that `make assets` copies from node_modules into vendor/ (an ignored folder). Everything is
// embedded in the binary and served under content-hashed URLs with a long immutable cache.
//
// It must not import any other pexops package.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed css js vendor
var files embed.FS

// Required lists the assets every page needs; New fails when one is missing, which means
// `make assets` has not run.
var required = []string{"css/app.css", "js/pexops.js", "js/moderation.js", "vendor/htmx.min.js", "vendor/ws.js"}

// Prefix is the URL path under which assets are served.
const Prefix = "/static/"

// Assets serves the embedded files and names them by content hash.
type Assets struct {
	hashes map[string]string // asset name -> first 12 hex digits of its SHA-256
}

// New hashes every embedded asset. It fails when a required asset is missing.
func New() (*Assets, error) {
	a := &Assets{hashes: map[string]string{}}
	err := fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(path.Base(name), ".") {
			return err
		}
		b, err := files.ReadFile(name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		a.hashes[name] = hex.EncodeToString(sum[:])[:12]
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("hash assets: %w", err)
	}
	for _, name := range required {
		if _, ok := a.hashes[name]; !ok {
			return nil, fmt.Errorf("asset %s is missing: run `make assets` (npm install) before building", name)
		}
	}
	return a, nil
}

// Path returns the URL of an asset, e.g. "/static/3f2a9c1b0d4e/css/app.css". An unknown name
// returns a URL that answers 404, so a typo shows in the browser's network panel.
func (a *Assets) Path(name string) string {
	h, ok := a.hashes[name]
	if !ok {
		h = "missing"
	}
	return Prefix + h + "/" + name
}

// ServeHTTP serves /static/<hash>/<name>. A current hash is cached for a year as immutable;
// a stale hash (a page from before a deploy) still gets the current file, uncached.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, Prefix)
	hash, name, ok := strings.Cut(rest, "/")
	want, known := a.hashes[name]
	if !ok || !known {
		http.NotFound(w, r)
		return
	}
	if hash == want {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	http.ServeFileFS(w, r, files, name)
}
