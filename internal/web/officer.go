package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/service"
)

func (s *Server) registerOfficerRoutes() {
	s.mux.HandleFunc("GET /officer", s.officerDashboard)
	s.mux.HandleFunc("GET /officer/challenges/new", s.newChallengePage)
	s.mux.HandleFunc("POST /officer/challenges/new", s.createChallenge)
	s.mux.HandleFunc("GET /officer/challenges/{id}", s.manageChallenge)
	s.mux.HandleFunc("GET /officer/challenges/{id}/edit", s.editChallengePage)
	s.mux.HandleFunc("POST /officer/challenges/{id}/edit", s.updateChallenge)
	s.mux.HandleFunc("POST /officer/challenges/{id}/move", s.moveChallenge)
	s.mux.HandleFunc("POST /officer/challenges/{id}/delete", s.deleteChallenge)
	s.mux.HandleFunc("POST /officer/responses/{id}", s.reviewResponse)
}

type statusTab struct {
	Label, URL string
	Current    bool
}

// statusTabs links base?status=st for each status, marking current; the
// empty status is the "All" tab.
func statusTabs(base, current string, statuses ...string) []statusTab {
	var tabs []statusTab
	for _, st := range statuses {
		label := statusLabel(st)
		if st == "" {
			label = "All"
		}
		tabs = append(tabs, statusTab{Label: label, URL: base + withParam(url.Values{}, "status", st), Current: st == current})
	}
	return tabs
}

type officerData struct {
	Challenges []*domain.Challenge
	Total      int
	Tabs       []statusTab
	Status     string
	Pager      pager
	Pending    bool
}

func (s *Server) officerDashboard(w http.ResponseWriter, r *http.Request) {
	u := s.requireUser(w, r, domain.RoleOfficer)
	if u == nil {
		return
	}
	q := cleanQuery(r.URL.Query(), "status", "page")
	status := q.Get("status")
	d := &officerData{Status: status, Pending: !u.Verified(), Tabs: statusTabs("/officer", status,
		"", domain.ChallengeDraft, domain.ChallengeOpen, domain.ChallengeClosed, domain.ChallengeAwarded, domain.ChallengeCancelled)}
	if !d.Pending {
		pg, offset := pageParams(r)
		res, err := s.svc.OrgChallenges(r.Context(), u, status, perPage, offset)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Challenges, d.Total = res.Items, res.Total
		d.Pager = newPager(q, pg, res.Total)
	}
	s.render(w, r, http.StatusOK, "officer_dashboard", &page{Title: "Your organisation's challenges", Section: "dashboard", Data: d})
}

var challengeLabels = []string{"title", "Title", "summary", "Summary", "description", "Description", "theme", "Theme",
	"region", "Region", "requiredCapabilities", "Capabilities needed", "requiredSkills", "Skills needed", "cpv", "CPV codes",
	"budget.min", "Lowest budget", "budget.max", "Highest budget", "budget.currency", "Currency", "budget", "Budget",
	"deadline", "Deadline"}

func challengeValues(c *domain.Challenge) url.Values {
	v := url.Values{}
	v.Set("title", c.Title)
	v.Set("summary", c.Summary)
	v.Set("description", c.Description)
	v.Set("theme", c.Theme)
	v.Set("region", c.Region)
	v.Set("requiredCapabilities", joinLines(c.RequiredCapabilities))
	v.Set("requiredSkills", joinLines(c.RequiredSkills))
	v.Set("cpv", joinLines(c.CPV))
	v.Set("budget.min", formatFloat(c.Budget.Min))
	v.Set("budget.max", formatFloat(c.Budget.Max))
	v.Set("budget.currency", c.Budget.Currency)
	if !c.Deadline.IsZero() {
		v.Set("deadline", c.Deadline.Format("2006-01-02"))
	}
	v.Set("version", i64toa(c.Version))
	return v
}

// postedChallenge reads a submitted challenge form; the organisation is the
// officer's own and is filled in by the service. A form that cannot be read
// (a bad number or date) is also checked here, with org standing in for the
// organisation, so the page lists all its problems at once; one that can is
// left for the service to check.
func postedChallenge(r *http.Request, org string) (*form, domain.ChallengeInput) {
	f := newForm(r.PostForm, challengeLabels...)
	in := domain.ChallengeInput{Title: f.text("title"), Summary: f.text("summary"), Description: f.text("description"),
		Theme: f.Get("theme"), Region: f.text("region"), RequiredCapabilities: f.list("requiredCapabilities"),
		RequiredSkills: f.list("requiredSkills"), CPV: f.list("cpv"),
		Budget: domain.Budget{Min: f.float("budget.min"), Max: f.float("budget.max"), Currency: strings.ToUpper(f.text("budget.currency"))}}
	if d := f.date("deadline", true); d != nil {
		in.Deadline = *d
	}
	if !f.Valid() {
		check := in
		check.Organisation = org
		check.Normalize()
		if err := check.Validate(); err != nil {
			f.SetError(err)
		}
	}
	return f, in
}

// challengeForm shows the challenge form with status: for a new draft when c
// is nil, else for editing c.
func (s *Server) challengeForm(w http.ResponseWriter, r *http.Request, status int, f *form, c *domain.Challenge) {
	title := "Draft a challenge"
	if c != nil {
		title = "Edit " + c.Title
	}
	s.render(w, r, status, "challenge_form", &page{Title: title, Section: "dashboard", Form: f, Data: challengeFormData{C: c, Themes: themeOpts()}})
}

type challengeFormData struct {
	C      *domain.Challenge
	Themes []Option
}

func themeOpts() []Option {
	out := make([]Option, len(domain.Themes))
	for i, t := range domain.Themes {
		out[i] = Option{Value: t, Label: themeLabel(t)}
	}
	return out
}

func (s *Server) newChallengePage(w http.ResponseWriter, r *http.Request) {
	u := s.requireUser(w, r, domain.RoleOfficer)
	if u == nil {
		return
	}
	v := url.Values{"budget.currency": {"GBP"}}
	s.challengeForm(w, r, http.StatusOK, newForm(v, challengeLabels...), nil)
}

func (s *Server) createChallenge(w http.ResponseWriter, r *http.Request) {
	u := s.requireUser(w, r, domain.RoleOfficer)
	if u == nil {
		return
	}
	f, in := postedChallenge(r, "-") // any organisation: the service sets it, so don't report it missing
	if f.Valid() {
		c, err := s.svc.CreateChallenge(r.Context(), u, in)
		if err == nil {
			s.done(w, r, "/officer/challenges/"+c.ID, "Draft saved. Check it, then publish it when it is ready.")
			return
		}
		if !f.SetError(err) {
			s.fail(w, r, err)
			return
		}
	}
	s.challengeForm(w, r, http.StatusUnprocessableEntity, f, nil)
}

func (s *Server) editChallengePage(w http.ResponseWriter, r *http.Request) {
	u := s.requireUser(w, r, domain.RoleOfficer)
	if u == nil {
		return
	}
	c, err := s.ownChallenge(r, u)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.challengeForm(w, r, http.StatusOK, newForm(challengeValues(c), challengeLabels...), c)
}

// ownChallenge reads a challenge the officer may manage; others' are 403, and
// drafts of other organisations do not exist for them (404).
func (s *Server) ownChallenge(r *http.Request, u *domain.User) (*domain.Challenge, error) {
	c, err := s.svc.GetChallenge(r.Context(), u, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if !service.CanManageChallenge(u, c) {
		return nil, domain.Errorf(domain.EFORBIDDEN, "Only officers of %s can manage this challenge.", c.Organisation)
	}
	return c, nil
}

func (s *Server) updateChallenge(w http.ResponseWriter, r *http.Request) {
	u := s.requireUser(w, r, domain.RoleOfficer)
	if u == nil {
		return
	}
	c, err := s.ownChallenge(r, u)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, in := postedChallenge(r, c.Organisation)
	if f.Valid() {
		_, err := s.svc.UpdateChallenge(r.Context(), u, c.ID, f.version(), func(cur *domain.ChallengeInput) error {
			in.ExternalID, in.Organisation, in.Language = cur.ExternalID, cur.Organisation, cur.Language
			*cur = in
			return nil
		})
		if err == nil {
			s.done(w, r, "/officer/challenges/"+c.ID, "Your changes have been saved.")
			return
		}
		if !f.SetError(err) {
			s.fail(w, r, err)
			return
		}
	}
	s.challengeForm(w, r, http.StatusUnprocessableEntity, f, c)
}

type manageData struct {
	C         *domain.Challenge
	Matches   []service.SMEMatch
	Mode      string
	Responses []*domain.Response
	// Awardable responses may win: not withdrawn or rejected.
	Awardable                      []*domain.Response
	CanEdit, CanPublish, CanClose  bool
	CanAward, CanCancel, CanDelete bool
	Final                          bool
	ReviewStatuses                 []Option
}

func (s *Server) manageChallenge(w http.ResponseWriter, r *http.Request) {
	u := s.requireUser(w, r, domain.RoleOfficer)
	if u == nil {
		return
	}
	ctx := r.Context()
	c, err := s.ownChallenge(r, u)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := &manageData{C: c}
	st := c.Status
	d.CanEdit = st == domain.ChallengeDraft || st == domain.ChallengeOpen
	d.CanPublish = st == domain.ChallengeDraft
	d.CanClose = st == domain.ChallengeOpen
	d.CanAward = st == domain.ChallengeOpen || st == domain.ChallengeClosed
	d.CanCancel = st == domain.ChallengeDraft || st == domain.ChallengeOpen || st == domain.ChallengeClosed
	d.CanDelete = st == domain.ChallengeDraft
	d.Final = st == domain.ChallengeAwarded || st == domain.ChallengeCancelled
	ms, err := s.svc.MatchSMEs(ctx, u, c.ID, 10)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Matches, d.Mode = ms.Items, ms.Mode
	rs, err := s.svc.ListResponses(ctx, u, c.ID, 100, 0)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Responses = rs.Items
	for _, resp := range rs.Items {
		if resp.Status != domain.ResponseWithdrawn && resp.Status != domain.ResponseRejected {
			d.Awardable = append(d.Awardable, resp)
		}
	}
	for _, st := range []string{domain.ResponseSubmitted, domain.ResponseShortlisted, domain.ResponseAccepted, domain.ResponseRejected} {
		d.ReviewStatuses = append(d.ReviewStatuses, Option{Value: st, Label: statusLabel(st)})
	}
	s.render(w, r, http.StatusOK, "officer_challenge", &page{Title: c.Title, Section: "dashboard", Data: d})
}

func (s *Server) moveChallenge(w http.ResponseWriter, r *http.Request) {
	u := s.requireUser(w, r, domain.RoleOfficer)
	if u == nil {
		return
	}
	id := r.PathValue("id")
	back := "/officer/challenges/" + id
	t := service.Transition(r.PostFormValue("action"))
	msgs := map[service.Transition]string{
		service.Publish: "Published. The best-matching SMEs have been told about it.",
		service.Close:   "Closed. It takes no more responses; you can still award it.",
		service.Award:   "Awarded. The winning SME has been told.",
		service.Cancel:  "Cancelled.",
	}
	if _, ok := msgs[t]; !ok {
		s.renderError(w, r, http.StatusBadRequest, "Unknown action.")
		return
	}
	responseID := r.PostFormValue("responseId")
	if t == service.Award && responseID == "" {
		s.done(w, r, back+"#award", refusedPrefix+"Choose the response that wins the award.")
		return
	}
	if _, err := s.svc.Move(r.Context(), u, id, t, 0, responseID); err != nil {
		if domain.ErrorCode(err) == domain.EINVALID && t == service.Publish {
			s.refuse(w, r, "/officer/challenges/"+id+"/edit", err)
			return
		}
		s.refuse(w, r, back, err)
		return
	}
	s.done(w, r, back, msgs[t])
}

func (s *Server) deleteChallenge(w http.ResponseWriter, r *http.Request) {
	u := s.requireUser(w, r, domain.RoleOfficer)
	if u == nil {
		return
	}
	id := r.PathValue("id")
	if err := s.svc.DeleteChallenge(r.Context(), u, id, 0); err != nil {
		s.refuse(w, r, "/officer/challenges/"+id, err)
		return
	}
	s.done(w, r, "/officer", "The draft has been deleted.")
}

// reviewResponse saves an officer's status, score and feedback for a response.
func (s *Server) reviewResponse(w http.ResponseWriter, r *http.Request) {
	u := s.requireUser(w, r, domain.RoleOfficer)
	if u == nil {
		return
	}
	ctx := r.Context()
	resp, err := s.svc.GetResponse(ctx, u, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	back := "/officer/challenges/" + resp.ChallengeID + "#response-" + resp.ID
	f := newForm(r.PostForm, "status", "Status", "score", "Score", "feedback", "Feedback")
	upd := domain.ResponseUpdate{}
	if st := f.Get("status"); st != "" {
		upd.Status = &st
	}
	if f.text("score") != "" {
		sc := f.int("score")
		upd.Score = &sc
	}
	fb := f.text("feedback")
	upd.Feedback = &fb
	if !f.Valid() {
		s.done(w, r, back, refusedPrefix+f.Summary[0].Message+".")
		return
	}
	if _, err := s.svc.UpdateResponse(ctx, u, resp.ID, f.version(), upd); err != nil {
		s.refuse(w, r, back, err)
		return
	}
	s.done(w, r, back, "The review of "+resp.SMEName+"'s response has been saved.")
}
