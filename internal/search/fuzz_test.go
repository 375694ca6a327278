package search

import (
	"context"
	"testing"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// FuzzSearchQuery feeds arbitrary text to Search: it must never panic and never
// fail with anything but a clean EINVALID (too long, too many words).
func FuzzSearchQuery(f *testing.F) {
	for _, s := range []string{
		"", "air quality", `"air quality" -diesel +python`, `+"`, `-`, `"`, `""`, `- + -+ +-`,
		`title:x AND (y OR z*)`, `name:/.*/ ^5 ~2 \" \\`, `*`, `?`, `a~`, `{!lucene}`, `\u0000`, "\xff\xfe",
		"monitring netwroks", "38432000-2", "città Gävle Nyíregyháza", "日本語のテキスト", "🙂🙂🙂",
		"+the -of \"and or\"", "-\"bus routes\"",
	} {
		f.Add(s)
	}
	x := mustOpenMem(f, append(append(smes(), challenges()...), &domain.Course{Meta: domain.Meta{ID: "c1", CreatedAt: t0},
		CourseInput: domain.CourseInput{Title: "Python for analysts", Skills: []string{"Python"}, Mode: "online"}})...)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, q string) {
		for _, kind := range []string{domain.KindSME, domain.KindChallenge, domain.KindCourse} {
			res, err := x.Search(ctx, domain.SearchRequest{Kind: kind, Q: q, Limit: 5})
			if err != nil {
				if domain.ErrorCode(err) != domain.EINVALID {
					t.Fatalf("Search(%s, %q): %v", kind, q, err)
				}
				continue
			}
			if res.Total < len(res.Hits) {
				t.Fatalf("Search(%s, %q): total %d < %d hits", kind, q, res.Total, len(res.Hits))
			}
		}
	})
}
