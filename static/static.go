// Package static holds the console's CSS, its small script and the vendored htmx
// (2.0.11, from the npm package htmx.org, with its licence in htmx.LICENSE), embedded
// in the binary and served under content-hashed names so that browsers may cache
// them for a year and still never run a stale file.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed *.css *.js *.svg htmx.LICENSE
var files embed.FS

// Prefix is where the files are served.
const Prefix = "/static/"

var (
	hashed = map[string]string{} // "app.css" -> "app.1a2b3c4d5e.css"
	served = map[string]string{} // "app.1a2b3c4d5e.css" -> "app.css"
)

func init() {
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		b, err := files.ReadFile(e.Name())
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(b)
		ext := path.Ext(e.Name())
		name := strings.TrimSuffix(e.Name(), ext) + "." + hex.EncodeToString(sum[:5]) + ext
		hashed[e.Name()] = name
		served[name] = e.Name()
	}
}

// Path returns the URL of the named file, with its content hash in the name. It
// panics on a name that is not embedded: a typo in a template is a bug to see at once.
func Path(name string) string {
	h, ok := hashed[name]
	if !ok {
		panic("static: no file " + name)
	}
	return Prefix + h
}

// Handler serves the hashed names, cacheable for a year, and nothing else.
func Handler() http.Handler {
	fileServer := http.FileServerFS(files)
	return http.StripPrefix(Prefix, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := served[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + name
		fileServer.ServeHTTP(w, r2)
	}))
}
