package web

import (
	"html/template"
	"net/http"
	"net/url"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/service"
)

func (s *Server) registerCourseRoutes() {
	s.mux.HandleFunc("GET /courses", s.browseCourses)
	s.mux.HandleFunc("GET /courses/{id}", s.showCourse)
}

type courseHit struct {
	C       *domain.Course
	Snippet template.HTML
}

type coursesData struct {
	Query                  url.Values
	Q, Skill, Mode, Region string
	Hits                   []courseHit
	Total                  int
	Modes, Regions, Skills []facet
	Pager                  pager
	Filtered               bool
}

func (s *Server) browseCourses(w http.ResponseWriter, r *http.Request) {
	q := cleanQuery(r.URL.Query(), "q", "skill", "mode", "region", "page")
	pg, offset := pageParams(r)
	d := &coursesData{Query: q, Q: q.Get("q"), Skill: q.Get("skill"), Mode: q.Get("mode"), Region: q.Get("region")}
	d.Filtered = d.Q != "" || d.Skill != "" || d.Mode != "" || d.Region != ""
	f := newForm(q, "q", "Search courses")
	// The skills facet is not counted by default; this page lists it.
	res, err := s.svc.SearchCourses(r.Context(), service.CourseQuery{Q: d.Q, Skill: d.Skill, Mode: d.Mode, Region: d.Region, Limit: perPage, Offset: offset,
		Facets: []string{"skills"}})
	if err != nil {
		if !f.SetError(err) {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, http.StatusUnprocessableEntity, "courses", &page{Title: "Courses", Section: "courses", Form: f, Data: d})
		return
	}
	for _, c := range res.Items {
		d.Hits = append(d.Hits, courseHit{C: c, Snippet: snippet(res.Highlights[c.ID], "description", "skills")})
	}
	d.Total = res.Total
	d.Modes = facets(q, res.Facets, "mode", modeLabel)
	d.Regions = facets(q, res.Facets, "region", func(s string) string { return s })
	// The index names the facet "skills"; the URL and the service say "skill".
	if sk := res.Facets["skills"]; len(sk) > 0 {
		d.Skills = facets(q, map[string][]domain.FacetCount{"skill": sk}, "skill", func(s string) string { return s })
	}
	d.Pager = newPager(q, pg, res.Total)
	s.render(w, r, http.StatusOK, "courses", &page{Title: "Courses", Section: "courses", Form: f, Data: d})
}

type courseData struct {
	C   *domain.Course
	Own bool
}

func (s *Server) showCourse(w http.ResponseWriter, r *http.Request) {
	c, err := s.svc.GetCourse(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u := currentUser(r)
	own := u != nil && (u.Role == domain.RoleAdmin || u.Role == domain.RoleProvider && c.Owner == u.ID)
	s.render(w, r, http.StatusOK, "course", &page{Title: c.Title, Section: "courses", Data: courseData{C: c, Own: own}})
}
