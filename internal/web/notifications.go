package web

import (
	"net/http"

	"github.com/bettermatch/bettermatch/internal/domain"
)

func (s *Server) registerNotificationRoutes() {
	s.mux.HandleFunc("GET /notifications", s.notifications)
	s.mux.HandleFunc("POST /notifications/{id}/read", s.markRead)
}

type notificationsData struct {
	Items []*domain.Notification
	Total int
	Pager pager
}

func (s *Server) notifications(w http.ResponseWriter, r *http.Request) {
	u := s.requireUser(w, r)
	if u == nil {
		return
	}
	pg, offset := pageParams(r)
	res, err := s.svc.Notifications(r.Context(), u, false, perPage, offset)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := notificationsData{Items: res.Items, Total: res.Total, Pager: newPager(cleanQuery(r.URL.Query(), "page"), pg, res.Total)}
	s.render(w, r, http.StatusOK, "notifications", &page{Title: "Notifications", Section: "notifications", Data: d})
}

// markRead marks a notification read and, when asked to open it, follows its
// link, so one click both clears and opens it.
func (s *Server) markRead(w http.ResponseWriter, r *http.Request) {
	u := s.requireUser(w, r)
	if u == nil {
		return
	}
	n, err := s.svc.MarkRead(r.Context(), u, r.PathValue("id"))
	if err != nil {
		s.refuse(w, r, "/notifications", err)
		return
	}
	to := "/notifications"
	if r.PostFormValue("open") != "" && n.Link != "" {
		to = localPath(n.Link)
	}
	s.done(w, r, to, "")
}
