package web

import (
	"net/http"
	"net/url"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/service"
)

func (s *Server) registerSMEDashboardRoutes() {
	s.mux.HandleFunc("GET /sme", s.smeDashboard)
	s.mux.HandleFunc("GET /sme/profile", s.smeProfilePage)
	s.mux.HandleFunc("POST /sme/profile", s.saveSMEProfile)
	s.mux.HandleFunc("GET /sme/gap", s.skillsGap)
}

type myResponse struct {
	R *domain.Response
	C *domain.Challenge
}

type smeDashData struct {
	SME           *domain.SME
	Opportunities []service.ChallengeMatch
	Mode          string
	Responses     []myResponse
	Notifications []*domain.Notification
}

// mySME is the signed-in SME account's profile, nil when it has none yet (or
// when an admin, who owns none, looks at the SME pages).
func (s *Server) mySME(r *http.Request, u *domain.User) (*domain.SME, error) {
	if u.SMEID == "" {
		return nil, nil
	}
	sme, err := s.svc.MySME(r.Context(), u)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, nil
	}
	return sme, err
}

// requireSMEUser is requireUser for the SME pages, with the account's profile
// (nil when it has none yet); ok is false when the response is written.
func (s *Server) requireSMEUser(w http.ResponseWriter, r *http.Request) (u *domain.User, sme *domain.SME, ok bool) {
	u = s.requireUser(w, r, domain.RoleSME)
	if u == nil {
		return nil, nil, false
	}
	sme, err := s.mySME(r, u)
	if err != nil {
		s.fail(w, r, err)
		return nil, nil, false
	}
	return u, sme, true
}

func (s *Server) smeDashboard(w http.ResponseWriter, r *http.Request) {
	u, sme, ok := s.requireSMEUser(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	d := &smeDashData{SME: sme}
	if sme != nil {
		ms, err := s.svc.MatchChallenges(ctx, u, sme.ID, 10)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Opportunities, d.Mode = ms.Items, ms.Mode
		rs, err := s.svc.MyResponses(ctx, u, sme.ID, 50, 0)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, resp := range rs.Items {
			c, err := s.svc.GetChallenge(ctx, u, resp.ChallengeID)
			if err != nil {
				continue // a challenge withdrawn from view: its response is moot
			}
			d.Responses = append(d.Responses, myResponse{R: resp, C: c})
		}
	}
	if ns, err := s.svc.Notifications(ctx, u, true, 5, 0); err == nil {
		d.Notifications = ns.Items
	}
	s.render(w, r, http.StatusOK, "sme_dashboard", &page{Title: "Your dashboard", Section: "dashboard", Data: d})
}

var smeLabels = []string{"name", "Company name", "companyNumber", "Company number", "size", "Size",
	"region", "Region", "website", "Website", "summary", "Summary", "description", "Description",
	"capabilities", "Capabilities", "skills", "Skills", "cpv", "CPV codes", "sic", "SIC codes",
	"certifications", "Certifications"}

func sizeOptions() []Option {
	return []Option{{Value: domain.SizeMicro, Label: sizeLabel(domain.SizeMicro)},
		{Value: domain.SizeSmall, Label: sizeLabel(domain.SizeSmall)}, {Value: domain.SizeMedium, Label: sizeLabel(domain.SizeMedium)}}
}

type smeProfileData struct {
	Exists bool
	Sizes  []Option
}

func smeValues(sme *domain.SME) url.Values {
	v := url.Values{}
	if sme == nil {
		return v
	}
	v.Set("name", sme.Name)
	v.Set("companyNumber", sme.CompanyNumber)
	v.Set("size", sme.Size)
	v.Set("region", sme.Region)
	v.Set("website", sme.Website)
	v.Set("summary", sme.Summary)
	v.Set("description", sme.Description)
	v.Set("capabilities", joinLines(sme.Capabilities))
	v.Set("skills", joinLines(sme.Skills))
	v.Set("cpv", joinLines(sme.CPV))
	v.Set("sic", joinLines(sme.SIC))
	v.Set("certifications", joinLines(sme.Certifications))
	v.Set("version", i64toa(sme.Version))
	return v
}

func (s *Server) smeProfilePage(w http.ResponseWriter, r *http.Request) {
	_, sme, ok := s.requireSMEUser(w, r)
	if !ok {
		return
	}
	s.smeProfileForm(w, r, http.StatusOK, newForm(smeValues(sme), smeLabels...), sme)
}

func (s *Server) saveSMEProfile(w http.ResponseWriter, r *http.Request) {
	u, sme, ok := s.requireSMEUser(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	f := newForm(r.PostForm, smeLabels...)
	in := domain.SMEInput{Name: f.text("name"), CompanyNumber: f.text("companyNumber"), Size: f.Get("size"),
		Region: f.text("region"), Website: f.text("website"), Summary: f.text("summary"), Description: f.text("description"),
		Capabilities: f.list("capabilities"), Skills: f.list("skills"), CPV: f.list("cpv"), SIC: f.list("sic"),
		Certifications: f.list("certifications")}
	in.Normalize()
	if err := in.Validate(); err != nil {
		f.SetError(err)
	}
	if f.Valid() {
		var err error
		if sme == nil {
			_, err = s.svc.CreateSME(ctx, u, in)
		} else {
			_, err = s.svc.UpdateSME(ctx, u, sme.ID, f.version(), func(cur *domain.SMEInput) error {
				in.ExternalID, in.Language = cur.ExternalID, cur.Language
				*cur = in
				return nil
			})
		}
		if err == nil {
			msg := "Your profile has been saved."
			if sme == nil {
				msg = "Your profile has been created. Here are the challenges that fit it best."
			}
			s.done(w, r, "/sme", msg)
			return
		}
		if !f.SetError(err) {
			s.fail(w, r, err)
			return
		}
	}
	s.smeProfileForm(w, r, http.StatusUnprocessableEntity, f, sme)
}

// smeProfileForm shows the profile form with status, to create a profile when
// sme is nil, else to edit it.
func (s *Server) smeProfileForm(w http.ResponseWriter, r *http.Request, status int, f *form, sme *domain.SME) {
	s.render(w, r, status, "sme_profile", &page{Title: "Your company profile", Section: "dashboard",
		Form: f, Data: smeProfileData{Exists: sme != nil, Sizes: sizeOptions()}})
}

type gapData struct {
	SME        *domain.SME
	Challenge  *domain.Challenge
	Gap        *service.SkillsGap
	Candidates []service.ChallengeMatch
	Chosen     string
}

// skillsGap lets an SME pick a challenge (its best opportunities are offered)
// and shows what it lacks for it and the courses that teach that.
func (s *Server) skillsGap(w http.ResponseWriter, r *http.Request) {
	u, sme, ok := s.requireSMEUser(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	if sme == nil {
		s.done(w, r, "/sme/profile", "Create your company profile first; the skills gap compares it with a challenge.")
		return
	}
	d := &gapData{SME: sme, Chosen: r.URL.Query().Get("challenge")}
	if ms, err := s.svc.MatchChallenges(ctx, u, sme.ID, 20); err == nil {
		d.Candidates = ms.Items
	}
	if d.Chosen != "" {
		g, err := s.svc.SkillsGap(ctx, u, sme.ID, d.Chosen, 10)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Gap = g
		if c, err := s.svc.GetChallenge(ctx, u, d.Chosen); err == nil {
			d.Challenge = c
			found := false
			for _, m := range d.Candidates {
				found = found || m.Challenge.ID == c.ID
			}
			if !found {
				d.Candidates = append([]service.ChallengeMatch{{Challenge: c}}, d.Candidates...)
			}
		}
	}
	title := "Skills gap"
	if d.Challenge != nil {
		title = "Skills gap for " + d.Challenge.Title
	}
	s.render(w, r, http.StatusOK, "sme_gap", &page{Title: title, Section: "dashboard", Data: d})
}
