package httpapi

import (
	"encoding/csv"
	"io"
	"net/http"
	"strconv"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/importer"
	"github.com/bettermatch/bettermatch/internal/service"
	"github.com/labstack/echo/v4"
)

// ?format=csv turns a list into a CSV download in the import format's columns
// (internal/importer), so what one instance exports another can import. The
// list handlers call the same service methods for CSV as for JSON, so who may
// see what is decided in one place.

// maxCSVRows bounds one download; a bigger export is the export command's job.
const maxCSVRows = 50_000

// wantCSV reads ?format=: empty or json for JSON, csv for CSV.
func wantCSV(c echo.Context) (bool, error) {
	switch c.QueryParam("format") {
	case "", "json":
		return false, nil
	case "csv":
		return true, nil
	}
	return false, &domain.Error{Code: domain.EINVALID, Message: "The request has invalid fields.",
		Fields: []domain.FieldError{{Field: "format", Message: "must be json or csv"}}}
}

// orCSV returns err, or runs the CSV export when there is none.
func orCSV(err error, export func() error) error {
	if err != nil {
		return err
	}
	return export()
}

func csvHeaders(c echo.Context, filename string) {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
}

// streamCSV writes every page fetch returns, from offset on, as CSV. With an
// explicit ?limit= it writes that one page; without, it pages through the whole
// list (up to maxCSVRows), since a spreadsheet wants all of it. The first page
// is read before anything is written, so a refusal is still a problem+json.
func streamCSV[T any](s *Server, c echo.Context, filename string, newWriter func(io.Writer) *importer.CSVWriter[T],
	offset int, fetch func(limit, offset int) (*service.Page[T], error)) error {
	all := c.QueryParam("limit") == ""
	limit, _ := intParam(c, "limit")
	if all {
		limit = service.MaxLimit
	}
	page, err := fetch(limit, offset)
	if err != nil {
		return err
	}
	csvHeaders(c, filename)
	c.Response().Header().Set("X-Total-Count", strconv.Itoa(page.Total))
	c.Response().WriteHeader(http.StatusOK)
	cw := newWriter(c.Response())
	if err := cw.Header(); err != nil {
		return nil // the client went away
	}
	rows := 0
	for {
		for _, it := range page.Items {
			if err := cw.Write(it); err != nil {
				return nil
			}
			rows++
		}
		offset += page.Limit
		if !all || len(page.Items) == 0 || offset >= page.Total || rows >= maxCSVRows {
			break
		}
		if page, err = fetch(limit, offset); err != nil {
			s.log.Error("csv: export cut short", "err", err, "request_id", c.Response().Header().Get(echo.HeaderXRequestID))
			panic(http.ErrAbortHandler) // a truncated download must not look complete
		}
	}
	if err := cw.Flush(); err != nil {
		s.log.Debug("csv: write", "err", err)
	}
	return nil
}

func (s *Server) challengesCSV(c echo.Context, q service.ChallengeQuery) error {
	return streamCSV(s, c, "challenges.csv", importer.NewChallengeWriter, q.Offset, func(limit, offset int) (*service.Page[*domain.Challenge], error) {
		q.Limit, q.Offset = limit, offset
		return s.svc.SearchChallenges(c.Request().Context(), actor(c), q)
	})
}

func (s *Server) smesCSV(c echo.Context, q service.SMEQuery) error {
	return streamCSV(s, c, "smes.csv", importer.NewSMEWriter, q.Offset, func(limit, offset int) (*service.Page[*domain.SME], error) {
		q.Limit, q.Offset = limit, offset
		return s.svc.SearchSMEs(c.Request().Context(), actor(c), q)
	})
}

func (s *Server) coursesCSV(c echo.Context, q service.CourseQuery) error {
	return streamCSV(s, c, "courses.csv", importer.NewCourseWriter, q.Offset, func(limit, offset int) (*service.Page[*domain.Course], error) {
		q.Limit, q.Offset = limit, offset
		return s.svc.SearchCourses(c.Request().Context(), q)
	})
}

func (s *Server) responsesCSV(c echo.Context, offset int) error {
	id := c.Param("id")
	return streamCSV(s, c, "responses-"+id+".csv", importer.NewResponseWriter, offset, func(limit, offset int) (*service.Page[*domain.Response], error) {
		return s.svc.ListResponses(c.Request().Context(), actor(c), id, limit, offset)
	})
}

// statsCSV writes one row per indicator set: the total, then each semester,
// theme and region.
func (s *Server) statsCSV(c echo.Context, st *service.Stats) error {
	csvHeaders(c, "bettermatch-indicators.csv")
	c.Response().WriteHeader(http.StatusOK)
	cw := csv.NewWriter(c.Response())
	cw.Write([]string{"dimension", "key", "challengesPublished", "smesRegistered", "responsesSubmitted",
		"firstTimeResponders", "challengesAwarded", "awardedToSameRegion", "coursesListed"})
	row := func(dim, key string, in service.Indicators) {
		cw.Write([]string{dim, importer.SafeCell(key), strconv.Itoa(in.ChallengesPublished), strconv.Itoa(in.SMEsRegistered),
			strconv.Itoa(in.ResponsesSubmitted), strconv.Itoa(in.FirstTimeResponders), strconv.Itoa(in.ChallengesAwarded),
			strconv.Itoa(in.AwardedToSameRegion), strconv.Itoa(in.CoursesListed)})
	}
	row("total", "all", st.Total)
	for _, dim := range []struct {
		name string
		rows []service.Breakdown
	}{{"semester", st.BySemester}, {"theme", st.ByTheme}, {"region", st.ByRegion}} {
		for _, b := range dim.rows {
			row(dim.name, b.Key, b.Indicators)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		s.log.Debug("csv: write stats", "err", err)
	}
	return nil
}
