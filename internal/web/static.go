package web

import (
	"io/fs"
	"net/http"

	"github.com/bettermatch/bettermatch/frontend"
)

// registerStatic serves the embedded CSS, JavaScript and icons. They change only
// with the binary, so browsers may keep them for a day.
func (s *Server) registerStatic() {
	sub, err := fs.Sub(frontend.FS, "static")
	if err != nil {
		panic(err)
	}
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	s.mux.Handle("GET /static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/static/" || r.URL.Path[len(r.URL.Path)-1] == '/' {
			s.notFound(w, r) // no directory listings
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=86400")
		files.ServeHTTP(w, r)
	}))
	s.mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/static/favicon.svg", http.StatusMovedPermanently)
	})
}
