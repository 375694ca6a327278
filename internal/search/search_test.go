package search

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/bettermatch/bettermatch/internal/domain"
)

func TestSearchText(t *testing.T) {
	x := mustOpenMem(t, smes()...)
	tests := []struct {
		name, q string
		want    []string // in rank order
		anyOrd  bool     // only the set matters
	}{
		{name: "stemming", q: "monitoring", want: []string{"airsense"}},
		{name: "phrase", q: `"air quality"`, want: []string{"airsense"}},
		{name: "plain words", q: "air quality", want: []string{"airsense", "transit", "harbour"}, anyOrd: true},
		{name: "more words rank higher", q: "air quality schools", want: []string{"airsense", "transit", "harbour"}},
		{name: "exclusion", q: "air -pollution", want: []string{"airsense", "transit"}, anyOrd: true},
		{name: "excluded phrase", q: `air -"bus routes"`, want: []string{"airsense", "harbour"}, anyOrd: true},
		{name: "only exclusion", q: "-air", want: []string{"dashworks", "traffico", "escape"}, anyOrd: true},
		{name: "required", q: "+python air", want: []string{"airsense", "harbour"}, anyOrd: true},
		{name: "fuzzy typo", q: "monitring", want: []string{"airsense"}},
		{name: "fuzzy typo in a list", q: "netwroks", want: []string{"airsense"}},
		{name: "known words are not fuzzy", q: "sensor", want: []string{"airsense"}},
		{name: "short words are not fuzzy", q: "ait", want: []string{}},
		{name: "title beats description", q: "dashboards", want: []string{"dashworks", "harbour"}},
		{name: "capabilities beat summary", q: "routes planning", want: []string{"transit"}},
		{name: "cpv code", q: "38432000", want: []string{"airsense"}},
		{name: "cpv code with check digit", q: "38432000-2", want: []string{"airsense"}},
		{name: "italian stemming", q: "traffici", want: []string{"traffico"}},
		{name: "only stop words", q: "the of and", want: []string{}},
		{name: "query syntax is text", q: `name:airsense OR +"`, want: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ids(mustSearch(t, x, domain.SearchRequest{Kind: domain.KindSME, Q: tt.q}))
			if tt.anyOrd {
				slices.Sort(got)
				tt.want = slices.Clone(tt.want)
				slices.Sort(tt.want)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Q=%q: got %q, want %q", tt.q, got, tt.want)
			}
		})
	}
}

func TestSearchHighlights(t *testing.T) {
	x := mustOpenMem(t, smes()...)
	res := mustSearch(t, x, domain.SearchRequest{Kind: domain.KindSME, Q: "schools"})
	if len(res.Hits) != 1 {
		t.Fatalf("hits = %q", ids(res))
	}
	if got := res.Hits[0].Highlights["summary"]; len(got) != 1 || !strings.Contains(got[0], "<mark>schools</mark>") {
		t.Errorf("summary highlights = %q", got)
	}
	// Only the fields that show something sought: the pages fall back to
	// the summary when none of theirs does.
	if len(res.Hits[0].Highlights) != 1 {
		t.Errorf("highlights = %q, want only the summary's", res.Hits[0].Highlights)
	}
	// The record decoded to highlight it comes with the hit.
	if rec, ok := res.Hits[0].Record.(*domain.SME); !ok || rec.ID != "airsense" || rec.Name != "AirSense" {
		t.Errorf("record = %+v", res.Hits[0].Record)
	}

	// The original text's HTML is escaped; only the <mark> tags are markup.
	res = mustSearch(t, x, domain.SearchRequest{Kind: domain.KindSME, Q: "cyclists"})
	got := res.Hits[0].Highlights["summary"]
	if len(got) != 1 || strings.Contains(got[0], "<script") || !strings.Contains(got[0], "&lt;script&gt;") ||
		!strings.Contains(got[0], "<mark>cyclists</mark>") {
		t.Errorf("summary highlights = %q", got)
	}

	// Fields other than the prose: the web pages fall back to capabilities.
	res = mustSearch(t, x, domain.SearchRequest{Kind: domain.KindSME, Q: "counting"})
	if got := res.Hits[0].Highlights["capabilities"]; len(got) != 1 || got[0] != "<mark>counting</mark>" {
		t.Errorf("capabilities highlights = %q", got)
	}
	// An excluded word changes what matches, not what is highlighted.
	res = mustSearch(t, x, domain.SearchRequest{Kind: domain.KindSME, Q: "schools -diesel"})
	if len(res.Hits) != 1 || len(res.Hits[0].Highlights["summary"]) != 1 ||
		!strings.Contains(res.Hits[0].Highlights["summary"][0], "<mark>schools</mark>") {
		t.Errorf("with an excluded word: %+v", res.Hits)
	}
	// A CPV code matches no text: nothing to highlight.
	res = mustSearch(t, x, domain.SearchRequest{Kind: domain.KindSME, Q: "38432000"})
	if len(res.Hits) != 1 || res.Hits[0].Highlights != nil || res.Hits[0].Source == nil {
		t.Errorf("a CPV code: %+v", res.Hits)
	}
	// Only an excluded word: nothing to highlight.
	res = mustSearch(t, x, domain.SearchRequest{Kind: domain.KindSME, Q: "-diesel"})
	for _, h := range res.Hits {
		if h.Highlights != nil || h.Source == nil {
			t.Errorf("%s with only an excluded word: highlights %q, source %q", h.ID, h.Highlights, h.Source)
		}
	}
	// No text, no highlights.
	res = mustSearch(t, x, domain.SearchRequest{Kind: domain.KindSME})
	for _, h := range res.Hits {
		if h.Highlights != nil {
			t.Errorf("%s has highlights %q without a query", h.ID, h.Highlights)
		}
	}
}

func TestSearchFacetsAndFilters(t *testing.T) {
	x := mustOpenMem(t, append(smes(), challenges()...)...)
	res := mustSearch(t, x, domain.SearchRequest{Kind: domain.KindSME})
	want := map[string][]domain.FacetCount{
		"region": {fc("Birmingham", 2), fc("Genoa", 2), fc("Gävle", 1), fc("Tartu", 1)},
		"size":   {fc("micro", 3), fc("small", 2), fc("medium", 1)},
	}
	if !reflect.DeepEqual(res.Facets, want) {
		t.Errorf("default facets:\n got %v\nwant %v", res.Facets, want)
	}
	// The many-valued facets only when asked for; naming a default one is harmless.
	res = mustSearch(t, x, domain.SearchRequest{Kind: domain.KindSME, Facets: []string{"skills", "capabilities", "region"}})
	want["skills"] = []domain.FacetCount{fc("Python", 2), fc("IoT", 1), fc("PostgreSQL", 1)}
	want["capabilities"] = []domain.FacetCount{fc("analisi dei dati", 1), fc("counting", 1), fc("reporting", 1), fc("route planning", 1), fc("sensor networks", 1)}
	if !reflect.DeepEqual(res.Facets, want) {
		t.Errorf("facets with skills and capabilities:\n got %v\nwant %v", res.Facets, want)
	}
	// Facets asked for are there (empty) even when nothing matches.
	res = mustSearch(t, x, domain.SearchRequest{Kind: domain.KindSME, Q: "the", Facets: []string{"skills"}})
	if got, ok := res.Facets["skills"]; !ok || len(got) != 0 || len(res.Facets) != 3 {
		t.Errorf("facets of an empty result = %v", res.Facets)
	}
	for _, f := range []string{"theme", "nope", "cpv"} {
		_, err := x.Search(context.Background(), domain.SearchRequest{Kind: domain.KindSME, Facets: []string{f}})
		if domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("facet %q: err = %v, want EINVALID", f, err)
		}
	}

	tests := []struct {
		name    string
		q       string
		filters map[string][]string
		want    []string // newest first, or by relevance with q
	}{
		{"one value", "", map[string][]string{"region": {"Genoa"}}, []string{"traffico", "airsense"}},
		{"values ORed", "", map[string][]string{"region": {"Genoa", "Tartu"}}, []string{"traffico", "transit", "airsense"}},
		{"fields ANDed", "", map[string][]string{"region": {"Genoa", "Birmingham"}, "size": {"small"}}, []string{"dashworks", "airsense"}},
		{"list field", "", map[string][]string{"skills": {"Python"}}, []string{"harbour", "airsense"}},
		{"exact, not analysed", "", map[string][]string{"region": {"genoa"}}, []string{}},
		{"empty values ignored", "", map[string][]string{"region": {""}}, []string{"escape", "traffico", "dashworks", "transit", "harbour", "airsense"}},
		{"with text", "air", map[string][]string{"region": {"Birmingham"}}, []string{"harbour"}},
		{"cpv", "", map[string][]string{"cpv": {"38432000"}}, []string{"airsense"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustSearch(t, x, domain.SearchRequest{Kind: domain.KindSME, Q: tt.q, Filters: tt.filters})
			if got := ids(res); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if res.Total != len(tt.want) {
				t.Errorf("Total = %d, want %d", res.Total, len(tt.want))
			}
		})
	}

	// Facets count the filtered hits.
	res = mustSearch(t, x, domain.SearchRequest{Kind: domain.KindSME, Filters: map[string][]string{"region": {"Genoa"}}})
	if got, want := res.Facets["size"], []domain.FacetCount{fc("micro", 1), fc("small", 1)}; !reflect.DeepEqual(got, want) {
		t.Errorf("size facet = %v, want %v", got, want)
	}

	for _, f := range []string{"theme", "nope", "cpv"} {
		kind := domain.KindSME
		if f == "cpv" {
			kind = domain.KindCourse
		}
		_, err := x.Search(context.Background(), domain.SearchRequest{Kind: kind, Filters: map[string][]string{f: {"x"}}})
		if domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%s filter %q: err = %v, want EINVALID", kind, f, err)
		}
	}
}

// Every hit carries its record's JSON, so callers need not read it again.
func TestSearchSource(t *testing.T) {
	recs := append(smes(), challenges()...)
	recs[0].(*domain.SME).Owner = "u1"
	x := mustOpenMem(t, recs...)
	want := map[string]domain.Record{}
	for _, r := range recs {
		want[r.RecordMeta().ID] = r
	}
	for _, req := range []domain.SearchRequest{
		{Kind: domain.KindSME}, {Kind: domain.KindSME, Q: "air"}, {Kind: domain.KindSME, Q: "-air"},
		{Kind: domain.KindChallenge, AllDrafts: true}, {Kind: domain.KindChallenge, Q: "challenge", AllDrafts: true},
	} {
		res := mustSearch(t, x, req)
		if len(res.Hits) == 0 {
			t.Fatalf("%+v: no hits", req)
		}
		for _, h := range res.Hits {
			wantJSON, _ := json.Marshal(want[h.ID])
			if string(h.Source) != string(wantJSON) {
				t.Errorf("%+v: %s source\n got %s\nwant %s", req, h.ID, h.Source, wantJSON)
			}
		}
	}
}

func TestSearchDraftVisibility(t *testing.T) {
	x := mustOpenMem(t, challenges()...)
	tests := []struct {
		name string
		req  domain.SearchRequest
		want []string // newest first, then the higher id
	}{
		{"anonymous", domain.SearchRequest{}, []string{"closed-genoa", "open-genoa"}},
		{"other organisation", domain.SearchRequest{DraftsOf: "Bristol"}, []string{"closed-genoa", "open-genoa"}},
		{"owner organisation", domain.SearchRequest{DraftsOf: "Genoa Council"}, []string{"closed-genoa", "open-genoa", "draft-genoa"}},
		// The officer's account spells the organisation differently.
		{"owner organisation in lower case", domain.SearchRequest{DraftsOf: "genoa council"}, []string{"closed-genoa", "open-genoa", "draft-genoa"}},
		{"owner organisation with extra spaces", domain.SearchRequest{DraftsOf: " GENOA \u00a0 Council "}, []string{"closed-genoa", "open-genoa", "draft-genoa"}},
		{"organisation only prefixing the owner's", domain.SearchRequest{DraftsOf: "Genoa"}, []string{"closed-genoa", "open-genoa"}},
		{"blank organisation", domain.SearchRequest{DraftsOf: "  "}, []string{"closed-genoa", "open-genoa"}},
		{"admin", domain.SearchRequest{AllDrafts: true}, []string{"closed-genoa", "draft-tartu", "open-genoa", "draft-genoa"}},
		{"anonymous asking for drafts", domain.SearchRequest{Filters: map[string][]string{"status": {"draft"}}}, []string{}},
		{"owner asking for drafts", domain.SearchRequest{DraftsOf: "Tartu City", Filters: map[string][]string{"status": {"draft"}}}, []string{"draft-tartu"}},
		{"owner spelling it differently asking for drafts", domain.SearchRequest{DraftsOf: "TARTU  city", Filters: map[string][]string{"status": {"draft"}}}, []string{"draft-tartu"}},
		{"anonymous text search", domain.SearchRequest{Q: "hospital admissions"}, []string{}},
		{"owner text search", domain.SearchRequest{Q: "hospital admissions", DraftsOf: "Genoa Council"}, []string{"draft-genoa"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.Kind = domain.KindChallenge
			res := mustSearch(t, x, tt.req)
			if got := ids(res); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if res.Total != len(tt.want) {
				t.Errorf("Total = %d, want %d", res.Total, len(tt.want))
			}
		})
	}
	// Facets never count what the caller may not see.
	res := mustSearch(t, x, domain.SearchRequest{Kind: domain.KindChallenge})
	if got, want := res.Facets["status"], []domain.FacetCount{fc("closed", 1), fc("open", 1)}; !reflect.DeepEqual(got, want) {
		t.Errorf("status facet = %v, want %v", got, want)
	}
}

// A draft imported with its organisation spelt otherwise than on the
// officers' accounts is theirs all the same; the organisation facet shows
// each name as written.
func TestSearchDraftVisibilityImportedSpelling(t *testing.T) {
	in := domain.ChallengeInput{Title: "Reuse rainwater", Theme: "other", Region: "Genoa", Summary: "Rainwater"}
	x := mustOpenMem(t, append(challenges(),
		challenge("draft-imported", domain.ChallengeDraft, " genoa  COUNCIL", 5, 40, in))...)
	for _, org := range []string{"Genoa Council", "genoa council", "GENOA COUNCIL "} {
		res := mustSearch(t, x, domain.SearchRequest{Kind: domain.KindChallenge, DraftsOf: org, Q: "rainwater"})
		if got, want := ids(res), []string{"draft-imported"}; !reflect.DeepEqual(got, want) {
			t.Errorf("DraftsOf %q: got %q, want %q", org, got, want)
		}
	}
	for _, org := range []string{"", "Tartu City", "Genoa"} {
		res := mustSearch(t, x, domain.SearchRequest{Kind: domain.KindChallenge, DraftsOf: org, Q: "rainwater"})
		if got := ids(res); len(got) != 0 {
			t.Errorf("DraftsOf %q sees %q", org, got)
		}
	}
	res := mustSearch(t, x, domain.SearchRequest{Kind: domain.KindChallenge, AllDrafts: true, Facets: []string{"organisation"}})
	want := []domain.FacetCount{fc("Genoa Council", 3), fc(" genoa  COUNCIL", 1), fc("Tartu City", 1)}
	if got := res.Facets["organisation"]; !reflect.DeepEqual(got, want) {
		t.Errorf("organisation facet = %v, want %v", got, want)
	}
}

func TestSearchSort(t *testing.T) {
	x := mustOpenMem(t, challenges()...)
	tests := []struct {
		sort, q string
		want    []string
	}{
		{"", "", []string{"closed-genoa", "draft-tartu", "open-genoa", "draft-genoa"}}, // equal times: higher id first
		{"newest", "", []string{"closed-genoa", "draft-tartu", "open-genoa", "draft-genoa"}},
		{"deadline", "", []string{"closed-genoa", "draft-tartu", "draft-genoa", "open-genoa"}},
		{"deadline", "challenge", []string{"closed-genoa", "draft-tartu", "draft-genoa", "open-genoa"}},
		{"", "schools", []string{"open-genoa"}},
	}
	for _, tt := range tests {
		res := mustSearch(t, x, domain.SearchRequest{Kind: domain.KindChallenge, AllDrafts: true, Sort: tt.sort, Q: tt.q})
		if got := ids(res); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("sort %q q %q: got %q, want %q", tt.sort, tt.q, got, tt.want)
		}
	}
	if _, err := x.Search(context.Background(), domain.SearchRequest{Kind: domain.KindChallenge, Sort: "title"}); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("sort=title: err = %v, want EINVALID", err)
	}
}

func TestSearchPaging(t *testing.T) {
	var recs []domain.Record
	for i := range 130 {
		recs = append(recs, &domain.Course{Meta: domain.Meta{ID: fmt.Sprintf("c%03d", i), CreatedAt: day(i)},
			CourseInput: domain.CourseInput{Title: "Python for analysts", Skills: []string{"Python"}, Mode: "online", Funded: i%2 == 0}})
	}
	x := mustOpenMem(t, recs...)
	tests := []struct {
		q                  string
		limit, offset      int
		wantLen, wantTotal int
		wantFirst          string
	}{
		{"", 0, 0, 20, 130, "c129"},
		{"", 10, 20, 10, 130, "c109"},
		{"", 500, 0, 100, 130, "c129"},
		{"", 20, 120, 10, 130, "c009"},
		{"", 20, 200, 0, 130, ""},
		{"python", 20, -5, 20, 130, "c129"}, // equal scores: newest first
	}
	for _, tt := range tests {
		res := mustSearch(t, x, domain.SearchRequest{Kind: domain.KindCourse, Q: tt.q, Limit: tt.limit, Offset: tt.offset})
		first := ""
		if len(res.Hits) > 0 {
			first = res.Hits[0].ID
		}
		if len(res.Hits) != tt.wantLen || res.Total != tt.wantTotal || first != tt.wantFirst {
			t.Errorf("q %q limit %d offset %d: %d hits from %q, total %d; want %d from %q, total %d",
				tt.q, tt.limit, tt.offset, len(res.Hits), first, res.Total, tt.wantLen, tt.wantFirst, tt.wantTotal)
		}
	}
	res := mustSearch(t, x, domain.SearchRequest{Kind: domain.KindCourse})
	if got, want := res.Facets["funded"], []domain.FacetCount{fc("false", 65), fc("true", 65)}; !reflect.DeepEqual(got, want) {
		t.Errorf("funded facet = %v, want %v", got, want)
	}
	if _, err := x.Search(context.Background(), domain.SearchRequest{Kind: domain.KindCourse, Offset: maxOffset + 1}); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("deep offset: err = %v, want EINVALID", err)
	}
}

func TestIndexReplaceRemoveCount(t *testing.T) {
	ctx := context.Background()
	x := mustOpenMem(t, append(smes(), challenges()...)...)
	count := func(kind string, want int) {
		t.Helper()
		if n, err := x.Count(kind); err != nil || n != want {
			t.Errorf("Count(%s) = %d, %v; want %d", kind, n, err, want)
		}
	}
	count(domain.KindSME, 6)
	count(domain.KindChallenge, 4)
	count(domain.KindCourse, 0)

	// Re-indexing replaces: the old words no longer match.
	s := smes()[0].(*domain.SME)
	s.Summary = "We count bicycles."
	if err := x.Index(ctx, s); err != nil {
		t.Fatal(err)
	}
	count(domain.KindSME, 6)
	if got := ids(mustSearch(t, x, domain.SearchRequest{Kind: domain.KindSME, Q: "schools"})); len(got) != 0 {
		t.Errorf("after replace, schools finds %q", got)
	}
	// The stored JSON is the record as last indexed.
	res := mustSearch(t, x, domain.SearchRequest{Kind: domain.KindSME, Q: "bicycles"})
	var got domain.SME
	if len(res.Hits) != 1 || json.Unmarshal(res.Hits[0].Source, &got) != nil || got.Summary != s.Summary {
		t.Errorf("after replace, hits = %+v", res.Hits)
	}
	if err := x.Remove(ctx, domain.KindSME, "airsense"); err != nil {
		t.Fatal(err)
	}
	count(domain.KindSME, 5)
	// The same id under another kind is another record.
	if err := x.Remove(ctx, domain.KindChallenge, "harbour"); err != nil {
		t.Fatal(err)
	}
	count(domain.KindSME, 5)

	if _, err := x.Count("user"); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("Count(user): %v", err)
	}
	if err := x.Remove(ctx, "user", "x"); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("Remove(user): %v", err)
	}
	if _, err := x.Search(ctx, domain.SearchRequest{Kind: "user"}); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("Search(user): %v", err)
	}
	if err := x.Index(ctx, &domain.User{}); err == nil {
		t.Error("indexing a user succeeded")
	}
}

// TestRelevanceTiesPageByNewestThenID: over records made to tie (few distinct
// texts, creation times that repeat), relevance pages are ordered by score,
// then newest, then the higher id, and consecutive pages neither overlap nor skip.
func TestRelevanceTiesPageByNewestThenID(t *testing.T) {
	texts := []string{"air quality sensors", "air quality sensors for schools", "traffic sensors", "air", "open data about air quality and traffic"}
	var recs []domain.Record
	created := map[string]int{}
	for i := range 240 {
		id := fmt.Sprintf("s%03d", (i*7)%240)
		created[id] = i % 9
		recs = append(recs, sme(id, i%9, domain.SMEInput{Name: fmt.Sprintf("Co %d", i%3),
			Summary: texts[i%len(texts)], Capabilities: []string{texts[(i/5)%len(texts)]}}))
	}
	x := mustOpenMem(t, recs...)
	for _, q := range []string{"air", "air quality", "sensors", "traffic sensors", `"air quality" -schools`, "schools"} {
		all := mustSearch(t, x, domain.SearchRequest{Kind: domain.KindSME, Q: q, Limit: 100})
		for i := 1; i < len(all.Hits); i++ {
			a, b := all.Hits[i-1], all.Hits[i]
			if a.Score < b.Score || a.Score == b.Score && (created[a.ID] < created[b.ID] ||
				created[a.ID] == created[b.ID] && a.ID < b.ID) {
				t.Errorf("q %q: hit %d (%s, %g, day %d) before hit %d (%s, %g, day %d)", q,
					i-1, a.ID, a.Score, created[a.ID], i, b.ID, b.Score, created[b.ID])
			}
		}
		var paged []string
		for off := 0; off < 98; off += 7 {
			res := mustSearch(t, x, domain.SearchRequest{Kind: domain.KindSME, Q: q, Limit: 7, Offset: off})
			if res.Total != all.Total {
				t.Errorf("q %q offset %d: total %d, want %d", q, off, res.Total, all.Total)
			}
			paged = append(paged, ids(res)...)
		}
		if want := ids(all)[:min(98, len(all.Hits))]; !reflect.DeepEqual(paged, want) {
			t.Errorf("q %q: pages of 7 give\n%q\nwant\n%q", q, paged, want)
		}
	}
}

// Filters narrow a search without changing its scores: a hit scores the same
// with and without them.
func TestFiltersKeepScores(t *testing.T) {
	x := mustOpenMem(t, append(smes(), challenges()...)...)
	for _, q := range []string{"air quality", "data", `"air quality" schools`} {
		all := mustSearch(t, x, domain.SearchRequest{Kind: domain.KindSME, Q: q})
		score := map[string]float64{}
		for _, h := range all.Hits {
			score[h.ID] = h.Score
		}
		for _, region := range []string{"Genoa", "Birmingham", "Tartu"} {
			some := mustSearch(t, x, domain.SearchRequest{Kind: domain.KindSME, Q: q, Filters: map[string][]string{"region": {region}}})
			for _, h := range some.Hits {
				want, ok := score[h.ID]
				if !ok || h.Score != want {
					t.Errorf("%q in %s: %s scores %v, %v (found: %v) unfiltered", q, region, h.ID, h.Score, want, ok)
				}
			}
		}
	}
}
