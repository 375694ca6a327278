package web

import (
	"html/template"
	"net/http"
	"net/url"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/service"
)

func (s *Server) registerSMERoutes() {
	s.mux.HandleFunc("GET /smes", s.browseSMEs)
	s.mux.HandleFunc("GET /smes/{id}", s.showSME)
}

type smeHit struct {
	S       *domain.SME
	Snippet template.HTML
}

type smesData struct {
	Query           url.Values
	Q, Region, Size string
	Hits            []smeHit
	Total           int
	Regions, Sizes  []facet
	Pager           pager
	Filtered        bool
}

func (s *Server) browseSMEs(w http.ResponseWriter, r *http.Request) {
	q := cleanQuery(r.URL.Query(), "q", "region", "size", "page")
	pg, offset := pageParams(r)
	d := &smesData{Query: q, Q: q.Get("q"), Region: q.Get("region"), Size: q.Get("size")}
	d.Filtered = d.Q != "" || d.Region != "" || d.Size != ""
	f := newForm(q, "q", "Search companies")
	res, err := s.svc.SearchSMEs(r.Context(), currentUser(r), service.SMEQuery{Q: d.Q, Region: d.Region, Size: d.Size, Limit: perPage, Offset: offset})
	if err != nil {
		if !f.SetError(err) {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, http.StatusUnprocessableEntity, "smes", &page{Title: "Companies", Section: "smes", Form: f, Data: d})
		return
	}
	for _, x := range res.Items {
		d.Hits = append(d.Hits, smeHit{S: x, Snippet: snippet(res.Highlights[x.ID], "summary", "description", "capabilities")})
	}
	d.Total = res.Total
	d.Regions = facets(q, res.Facets, "region", func(s string) string { return s })
	d.Sizes = facets(q, res.Facets, "size", sizeLabel)
	d.Pager = newPager(q, pg, res.Total)
	s.render(w, r, http.StatusOK, "smes", &page{Title: "Companies", Section: "smes", Form: f, Data: d})
}

type smeData struct {
	S   *domain.SME
	Own bool
}

func (s *Server) showSME(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	x, err := s.svc.GetSME(r.Context(), u, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	own := u != nil && u.SMEID == x.ID
	s.render(w, r, http.StatusOK, "sme", &page{Title: x.Name, Section: "smes", Data: smeData{S: x, Own: own}})
}
