package web

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"

	"github.com/bettermatch/bettermatch/internal/service"
)

func (s *Server) registerStatsRoutes() {
	s.mux.HandleFunc("GET /stats", s.statsPage)
	s.mux.HandleFunc("GET /stats.csv", s.statsCSV)
}

// The four indicators the charts show, in the order of their colours.
var chartSeriesList = []chartSeries{
	{Label: "Challenges published", Class: "s0"},
	{Label: "Responses submitted", Class: "s1"},
	{Label: "First-time responders", Class: "s2"},
	{Label: "Challenges awarded", Class: "s3"},
}

func chartValues(ind service.Indicators) []int {
	return []int{ind.ChallengesPublished, ind.ResponsesSubmitted, ind.FirstTimeResponders, ind.ChallengesAwarded}
}

type statRow struct {
	Key    string
	Values []int
}

type statsData struct {
	Stats      *service.Stats
	Semesters  chart
	Themes     chart
	SemRows    []statRow
	ThemeRows  []statRow
	SeriesList []chartSeries
}

func breakdownChart(id, title, noun string, bs []service.Breakdown, label func(string) string) (chart, []statRow) {
	keys := make([]string, len(bs))
	vals := make([][]int, len(bs))
	rows := make([]statRow, len(bs))
	for i, b := range bs {
		keys[i] = label(b.Key)
		vals[i] = chartValues(b.Indicators)
		rows[i] = statRow{Key: keys[i], Values: vals[i]}
	}
	return groupedBars(id, title, noun, keys, chartSeriesList, vals), rows
}

func (s *Server) statsPage(w http.ResponseWriter, r *http.Request) {
	st, err := s.svc.Stats(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := &statsData{Stats: st, SeriesList: chartSeriesList}
	d.Semesters, d.SemRows = breakdownChart("semesters", "Activity per semester", "semesters", st.BySemester, semesterLabel)
	d.Themes, d.ThemeRows = breakdownChart("themes", "Activity per theme", "themes", st.ByTheme, themeLabel)
	s.render(w, r, http.StatusOK, "stats", &page{Title: "Innovation indicators", Section: "stats", Data: d})
}

// semesterLabel writes "2026-H1" as "2026 H1", which screen readers read better.
func semesterLabel(k string) string { return strings.Replace(k, "-", " ", 1) }

// statsCSV exports every indicator for the total and each semester, theme and
// region, one row each.
func (s *Server) statsCSV(w http.ResponseWriter, r *http.Request) {
	st, err := s.svc.Stats(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="bettermatch-indicators.csv"`)
	cw := csv.NewWriter(w)
	cw.Write([]string{"dimension", "key", "challengesPublished", "smesRegistered", "responsesSubmitted",
		"firstTimeResponders", "challengesAwarded", "awardedToSameRegion", "coursesListed"})
	row := func(dim, key string, in service.Indicators) {
		cw.Write([]string{dim, csvSafe(key), strconv.Itoa(in.ChallengesPublished), strconv.Itoa(in.SMEsRegistered),
			strconv.Itoa(in.ResponsesSubmitted), strconv.Itoa(in.FirstTimeResponders), strconv.Itoa(in.ChallengesAwarded),
			strconv.Itoa(in.AwardedToSameRegion), strconv.Itoa(in.CoursesListed)})
	}
	row("total", "all", st.Total)
	for _, b := range st.BySemester {
		row("semester", b.Key, b.Indicators)
	}
	for _, b := range st.ByTheme {
		row("theme", b.Key, b.Indicators)
	}
	for _, b := range st.ByRegion {
		row("region", b.Key, b.Indicators)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		s.log.ErrorContext(r.Context(), "web: write stats csv", "err", err)
	}
}

// csvSafe stops a spreadsheet from running a region name typed as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
