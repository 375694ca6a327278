package web

import (
	"net/http"
	"net/url"

	"github.com/bettermatch/bettermatch/internal/domain"
)

func (s *Server) registerProviderRoutes() {
	s.mux.HandleFunc("GET /provider", s.providerDashboard)
	s.mux.HandleFunc("GET /provider/courses/new", s.newCoursePage)
	s.mux.HandleFunc("POST /provider/courses/new", s.createCourse)
	s.mux.HandleFunc("GET /provider/courses/{id}/edit", s.editCoursePage)
	s.mux.HandleFunc("POST /provider/courses/{id}/edit", s.updateCourse)
	s.mux.HandleFunc("POST /provider/courses/{id}/delete", s.deleteCourse)
}

type providerData struct {
	Courses []*domain.Course
	Total   int
	Pager   pager
	Pending bool
}

func (s *Server) providerDashboard(w http.ResponseWriter, r *http.Request) {
	u := s.requireUser(w, r, domain.RoleProvider)
	if u == nil {
		return
	}
	d := &providerData{Pending: !u.Verified()}
	pg, offset := pageParams(r)
	res, err := s.svc.MyCourses(r.Context(), u, perPage, offset)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Courses, d.Total = res.Items, res.Total
	d.Pager = newPager(cleanQuery(r.URL.Query(), "page"), pg, res.Total)
	s.render(w, r, http.StatusOK, "provider_dashboard", &page{Title: "Your courses", Section: "dashboard", Data: d})
}

var courseLabels = []string{"title", "Title", "provider", "Provider", "description", "Description", "skills", "Skills taught",
	"mode", "Mode", "region", "Region", "startDate", "Start date", "hours", "Length in hours", "cost", "Cost",
	"funded", "Funded", "link", "Course web page"}

func modeOptions() []Option {
	return []Option{{Value: domain.ModeOnline, Label: "Online"}, {Value: domain.ModeInPerson, Label: "In person"}, {Value: domain.ModeBlended, Label: "Blended"}}
}

type courseFormData struct {
	C     *domain.Course
	Modes []Option
}

func courseValues(c *domain.Course) url.Values {
	v := url.Values{}
	v.Set("title", c.Title)
	v.Set("provider", c.Provider)
	v.Set("description", c.Description)
	v.Set("skills", joinLines(c.Skills))
	v.Set("mode", c.Mode)
	v.Set("region", c.Region)
	if c.StartDate != nil {
		v.Set("startDate", c.StartDate.Format("2006-01-02"))
	}
	v.Set("hours", formatFloat(c.Hours))
	v.Set("cost", formatFloat(c.Cost))
	if c.Funded {
		v.Set("funded", "on")
	}
	v.Set("link", c.Link)
	v.Set("version", i64toa(c.Version))
	return v
}

// postedCourse reads and checks a submitted course form; the form holds every
// problem found, so the page can show them all before anything is saved.
func postedCourse(r *http.Request) (*form, domain.CourseInput) {
	f := newForm(r.PostForm, courseLabels...)
	in := domain.CourseInput{Title: f.text("title"), Provider: f.text("provider"), Description: f.text("description"),
		Skills: f.list("skills"), Mode: f.Get("mode"), Region: f.text("region"), StartDate: f.date("startDate", false),
		Hours: f.float("hours"), Cost: f.float("cost"), Funded: f.Get("funded") == "on", Link: f.text("link")}
	in.Normalize()
	if err := in.Validate(); err != nil {
		f.SetError(err)
	}
	return f, in
}

// courseForm shows the course form with status: for a new course when c is
// nil, else for editing c.
func (s *Server) courseForm(w http.ResponseWriter, r *http.Request, status int, f *form, c *domain.Course) {
	title := "Add a course"
	if c != nil {
		title = "Edit " + c.Title
	}
	s.render(w, r, status, "course_form", &page{Title: title, Section: "dashboard", Form: f, Data: courseFormData{C: c, Modes: modeOptions()}})
}

func (s *Server) newCoursePage(w http.ResponseWriter, r *http.Request) {
	u := s.requireUser(w, r, domain.RoleProvider)
	if u == nil {
		return
	}
	v := url.Values{"provider": {u.Organisation}}
	s.courseForm(w, r, http.StatusOK, newForm(v, courseLabels...), nil)
}

func (s *Server) createCourse(w http.ResponseWriter, r *http.Request) {
	u := s.requireUser(w, r, domain.RoleProvider)
	if u == nil {
		return
	}
	f, in := postedCourse(r)
	if f.Valid() {
		c, err := s.svc.CreateCourse(r.Context(), u, in)
		if err == nil {
			s.done(w, r, "/provider", "“"+c.Title+"” is listed. SMEs with a matching skills gap will see it.")
			return
		}
		if !f.SetError(err) {
			s.fail(w, r, err)
			return
		}
	}
	s.courseForm(w, r, http.StatusUnprocessableEntity, f, nil)
}

func (s *Server) ownCourse(r *http.Request, u *domain.User) (*domain.Course, error) {
	c, err := s.svc.GetCourse(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if u.Role != domain.RoleAdmin && c.Owner != u.ID {
		return nil, domain.Errorf(domain.EFORBIDDEN, "Only the provider who listed this course can change it.")
	}
	return c, nil
}

func (s *Server) editCoursePage(w http.ResponseWriter, r *http.Request) {
	u := s.requireUser(w, r, domain.RoleProvider)
	if u == nil {
		return
	}
	c, err := s.ownCourse(r, u)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.courseForm(w, r, http.StatusOK, newForm(courseValues(c), courseLabels...), c)
}

func (s *Server) updateCourse(w http.ResponseWriter, r *http.Request) {
	u := s.requireUser(w, r, domain.RoleProvider)
	if u == nil {
		return
	}
	c, err := s.ownCourse(r, u)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, in := postedCourse(r)
	if f.Valid() {
		_, err := s.svc.UpdateCourse(r.Context(), u, c.ID, f.version(), func(cur *domain.CourseInput) error {
			in.ExternalID, in.Language = cur.ExternalID, cur.Language
			*cur = in
			return nil
		})
		if err == nil {
			s.done(w, r, "/provider", "Your changes to “"+in.Title+"” have been saved.")
			return
		}
		if !f.SetError(err) {
			s.fail(w, r, err)
			return
		}
	}
	s.courseForm(w, r, http.StatusUnprocessableEntity, f, c)
}

func (s *Server) deleteCourse(w http.ResponseWriter, r *http.Request) {
	u := s.requireUser(w, r, domain.RoleProvider)
	if u == nil {
		return
	}
	if err := s.svc.DeleteCourse(r.Context(), u, r.PathValue("id"), 0); err != nil {
		s.refuse(w, r, "/provider", err)
		return
	}
	s.done(w, r, "/provider", "The course has been removed.")
}
