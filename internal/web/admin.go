package web

import (
	"net/http"
	"net/url"

	"github.com/bettermatch/bettermatch/internal/domain"
)

func (s *Server) registerAdminRoutes() {
	s.mux.HandleFunc("GET /admin", s.adminQueue)
	s.mux.HandleFunc("POST /admin/users/{id}/status", s.setUserStatus)
}

type adminData struct {
	Users  []*domain.User
	Total  int
	Status string
	Tabs   []statusTab
	Pager  pager
}

// adminQueue lists accounts, pending ones first by default, to verify or suspend.
func (s *Server) adminQueue(w http.ResponseWriter, r *http.Request) {
	u := s.requireUser(w, r, domain.RoleAdmin)
	if u == nil {
		return
	}
	q := cleanQuery(r.URL.Query(), "status", "page")
	status := q.Get("status")
	if status == "" {
		status = domain.StatusPending
		q.Set("status", status)
	}
	d := &adminData{Status: status, Tabs: statusTabs("/admin", status, domain.StatusPending, domain.StatusActive, domain.StatusSuspended)}
	pg, offset := pageParams(r)
	res, err := s.svc.ListUsers(r.Context(), u, domain.UserFilter{Status: status, Limit: perPage, Offset: offset})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Users, d.Total = res.Items, res.Total
	d.Pager = newPager(q, pg, res.Total)
	s.render(w, r, http.StatusOK, "admin", &page{Title: "Accounts", Section: "dashboard", Data: d})
}

func (s *Server) setUserStatus(w http.ResponseWriter, r *http.Request) {
	u := s.requireUser(w, r, domain.RoleAdmin)
	if u == nil {
		return
	}
	status := r.PostFormValue("status")
	back := "/admin?status=" + url.QueryEscape(r.PostFormValue("from"))
	if status != domain.StatusActive && status != domain.StatusSuspended {
		s.renderError(w, r, http.StatusBadRequest, "Unknown account status.")
		return
	}
	target, err := s.svc.SetUserStatus(r.Context(), u, r.PathValue("id"), status)
	if err != nil {
		s.refuse(w, r, back, err)
		return
	}
	msg := target.Name + " (" + target.Email + ") is verified."
	if status == domain.StatusSuspended {
		msg = target.Name + " (" + target.Email + ") is suspended and signed out."
	}
	s.done(w, r, back, msg)
}
