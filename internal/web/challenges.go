package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/service"
)

func (s *Server) registerChallengeRoutes() {
	s.mux.HandleFunc("GET /{$}", s.browseChallenges)
	s.mux.HandleFunc("GET /challenges", s.browseChallenges)
	s.mux.HandleFunc("GET /challenges/{id}", s.showChallenge)
	s.mux.HandleFunc("POST /challenges/{id}/respond", s.respond)
	s.mux.HandleFunc("POST /challenges/{id}/withdraw", s.withdraw)
}

// facet is one filter value with its count and the link that applies it (or
// removes it, when it is the one applied).
type facet struct {
	Value, Label string
	Count        int
	URL          string
	Selected     bool
}

func facets(q url.Values, res map[string][]domain.FacetCount, field string, label func(string) string) []facet {
	cur := q.Get(field)
	var out []facet
	for _, fc := range res[field] {
		f := facet{Value: fc.Value, Label: label(fc.Value), Count: fc.Count, Selected: fc.Value == cur}
		if f.Selected {
			f.URL = withParam(q, field, "", "page", "")
		} else {
			f.URL = withParam(q, field, fc.Value, "page", "")
		}
		out = append(out, f)
	}
	return out
}

type challengeHit struct {
	C       *domain.Challenge
	Snippet template.HTML
}

type browseData struct {
	Home                      bool
	Query                     url.Values
	Q, Theme, Region, Status  string
	Sort                      string
	Hits                      []challengeHit
	Total                     int
	Themes, Regions, Statuses []facet
	Pager                     pager
	Filtered                  bool
}

// snippet picks the best highlighted fragment of a hit, if the index gave any.
func snippet(h map[string][]string, fields ...string) template.HTML {
	for _, f := range fields {
		if fr := h[f]; len(fr) > 0 {
			return highlight(fr[0])
		}
	}
	return ""
}

func (s *Server) browseChallenges(w http.ResponseWriter, r *http.Request) {
	q := cleanQuery(r.URL.Query(), "q", "theme", "region", "status", "sort", "page")
	pg, offset := pageParams(r)
	d := &browseData{Home: r.URL.Path == "/", Query: q, Q: q.Get("q"), Theme: q.Get("theme"),
		Region: q.Get("region"), Status: q.Get("status"), Sort: q.Get("sort")}
	d.Filtered = d.Q != "" || d.Theme != "" || d.Region != "" || d.Status != ""
	sort := d.Sort
	if sort != "newest" && sort != "deadline" {
		sort = ""
	}
	res, err := s.svc.SearchChallenges(r.Context(), currentUser(r), service.ChallengeQuery{
		Q: d.Q, Theme: d.Theme, Region: d.Region, Status: d.Status, Sort: sort, Limit: perPage, Offset: offset})
	f := newForm(q, "q", "Search challenges")
	if err != nil {
		if !f.SetError(err) {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, http.StatusUnprocessableEntity, "challenges", &page{Title: "Challenges", Section: "challenges", Form: f, Data: d})
		return
	}
	for _, c := range res.Items {
		d.Hits = append(d.Hits, challengeHit{C: c, Snippet: snippet(res.Highlights[c.ID], "summary", "description", "requiredCapabilities")})
	}
	d.Total = res.Total
	d.Themes = facets(q, res.Facets, "theme", themeLabel)
	d.Regions = facets(q, res.Facets, "region", func(s string) string { return s })
	d.Statuses = facets(q, res.Facets, "status", statusLabel)
	d.Pager = newPager(q, pg, res.Total)
	title := "Challenges"
	if d.Home {
		title = "Public challenges for local innovators"
	}
	s.render(w, r, http.StatusOK, "challenges", &page{Title: title, Section: "challenges", Form: f, Data: d})
}

// cleanQuery keeps only the parameters a page understands, trimmed, so links
// built from it carry nothing else.
func cleanQuery(in url.Values, keys ...string) url.Values {
	out := url.Values{}
	for _, k := range keys {
		if v := strings.TrimSpace(in.Get(k)); v != "" {
			out.Set(k, v)
		}
	}
	return out
}

type challengeData struct {
	C *domain.Challenge
	// Mine is the signed-in SME's response, if it has made one.
	Mine *domain.Response
	// CanRespond: an SME with a profile may respond or edit now.
	CanRespond, NeedsProfile, IsSME, Manage, Editable bool
	Awarded                                           *domain.SME
}

var responseLabels = []string{"proposal", "Your proposal", "price", "Price", "currency", "Currency", "durationWeeks", "Duration in weeks"}

func (s *Server) showChallenge(w http.ResponseWriter, r *http.Request) {
	s.challengePage(w, r, nil, http.StatusOK)
}

// challengePage shows a challenge; f is the respond form with problems when a
// submission was refused.
func (s *Server) challengePage(w http.ResponseWriter, r *http.Request, f *form, status int) {
	u := currentUser(r)
	ctx := r.Context()
	c, err := s.svc.GetChallenge(ctx, u, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := &challengeData{C: c, IsSME: u != nil && u.Role == domain.RoleSME}
	open := c.Status == domain.ChallengeOpen && s.svc.Now().Before(c.Deadline)
	if d.IsSME {
		d.NeedsProfile = u.SMEID == ""
		if !d.NeedsProfile {
			rs, err := s.svc.ListResponses(ctx, u, c.ID, 1, 0)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			if len(rs.Items) > 0 {
				d.Mine = rs.Items[0]
			}
		}
		d.CanRespond = open && !d.NeedsProfile
		d.Editable = d.CanRespond && (d.Mine == nil || d.Mine.Status == domain.ResponseSubmitted || d.Mine.Status == domain.ResponseWithdrawn)
	}
	d.Manage = service.CanManageChallenge(u, c)
	if c.AwardedSMEID != "" {
		if sme, err := s.svc.GetSME(ctx, u, c.AwardedSMEID); err == nil {
			d.Awarded = sme
		}
	}
	if f == nil {
		v := url.Values{}
		if d.Mine != nil {
			v.Set("proposal", d.Mine.Proposal)
			v.Set("price", formatFloat(d.Mine.Price))
			v.Set("currency", d.Mine.Currency)
			v.Set("durationWeeks", itoa(d.Mine.DurationWeeks))
			v.Set("version", i64toa(d.Mine.Version))
		} else if c.Budget.Currency != "" {
			v.Set("currency", c.Budget.Currency)
		}
		f = newForm(v, responseLabels...)
	}
	s.render(w, r, status, "challenge", &page{Title: c.Title, Section: "challenges", Form: f, Data: d})
}

func (s *Server) respond(w http.ResponseWriter, r *http.Request) {
	u := s.requireUser(w, r, domain.RoleSME)
	if u == nil {
		return
	}
	id := r.PathValue("id")
	f := newForm(r.PostForm, responseLabels...)
	in := domain.ResponseInput{Proposal: f.text("proposal"), Price: f.float("price"),
		Currency: strings.ToUpper(f.text("currency")), DurationWeeks: f.int("durationWeeks")}
	if err := in.Validate(); err != nil {
		f.SetError(err)
	}
	if !f.Valid() {
		s.challengePage(w, r, f, http.StatusUnprocessableEntity)
		return
	}
	ctx := r.Context()
	var err error
	msg := "Your response has been sent. The challenge's officers will review it."
	if u.SMEID != "" {
		if _, gerr := s.svc.GetResponse(ctx, u, domain.ResponseID(id, u.SMEID)); gerr == nil {
			_, err = s.svc.UpdateResponse(ctx, u, domain.ResponseID(id, u.SMEID), f.version(), domain.ResponseUpdate{
				Proposal: &in.Proposal, Price: &in.Price, Currency: &in.Currency, DurationWeeks: &in.DurationWeeks})
			msg = "Your response has been updated."
		} else if domain.ErrorCode(gerr) == domain.ENOTFOUND {
			_, err = s.svc.Respond(ctx, u, id, in)
		} else {
			err = gerr
		}
	} else {
		_, err = s.svc.Respond(ctx, u, id, in)
	}
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND || !f.SetError(err) {
			s.fail(w, r, err)
			return
		}
		s.challengePage(w, r, f, http.StatusUnprocessableEntity)
		return
	}
	s.done(w, r, "/challenges/"+id+"#your-response", msg)
}

// withdraw takes the SME's response back, or submits a withdrawn one again.
func (s *Server) withdraw(w http.ResponseWriter, r *http.Request) {
	u := s.requireUser(w, r, domain.RoleSME)
	if u == nil {
		return
	}
	id := r.PathValue("id")
	status, msg := domain.ResponseWithdrawn, "Your response has been withdrawn. You can submit it again before the deadline."
	if r.PostFormValue("action") == "resubmit" {
		status, msg = domain.ResponseSubmitted, "Your response has been submitted again."
	}
	_, err := s.svc.UpdateResponse(r.Context(), u, domain.ResponseID(id, u.SMEID), 0, domain.ResponseUpdate{Status: &status})
	if err != nil {
		s.refuse(w, r, "/challenges/"+id, err)
		return
	}
	s.done(w, r, "/challenges/"+id+"#your-response", msg)
}
