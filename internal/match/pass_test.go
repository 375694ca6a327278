package match

import (
	"math"
	"testing"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/search"
)

// The one-pass scorer must agree with the plain definitions it speeds up.
func TestPassAgreesWithDefinitions(t *testing.T) {
	e := New(search.NewAnalyzer(), Options{Relearn: -1})
	mk := func(id, desc string, caps, skills, cpv []string) *domain.SME {
		s := &domain.SME{Meta: domain.Meta{ID: id}}
		s.Name, s.Region, s.Description, s.Capabilities, s.Skills, s.CPV = id, "r", desc, caps, skills, cpv
		return s
	}
	e.Put(
		mk("a", "We deploy air quality sensors measuring nitrogen dioxide.", []string{"air quality monitoring"}, nil, []string{"90731000-0"}),
		mk("b", "Our sensors report nitrogen dioxide readings.", []string{"air quality monitoring"}, []string{"IoT"}, nil),
		mk("c", "We publish open data through APIs and sensors.", []string{"open data platform"}, nil, []string{"72322000-8"}),
		mk("d", "Nitrogen dioxide sensors and open data APIs.", nil, nil, []string{"90731000-0", "72300000-8"}),
		mk("e", "We clean offices.", []string{"cleaning"}, nil, nil),
	)
	c := &domain.Challenge{Meta: domain.Meta{ID: "q"}}
	c.Title, c.Description = "Air quality and open data", "Measure nitrogen dioxide and publish open data with APIs."
	c.RequiredCapabilities, c.RequiredSkills, c.CPV = []string{"air quality monitoring", "open data platform"}, []string{"IoT", "API design"}, []string{"90731000-0", "72322000-8"}
	a := e.analyse(challengeText(c))
	e.rlock()
	defer e.mu.RUnlock()
	q := e.newQuery(build(a, e.terms.lookup, e.concepts.lookup), e.table())
	sc := q.newScratch()
	for _, d := range e.smes.docs {
		lex, cov := q.pass(d, sc)
		slowCov, ms := q.coverage(d, nil)
		if math.Abs(lex-q.lexical(d)) > 1e-6 || math.Abs(cov-slowCov) > 1e-9 {
			t.Fatalf("%s: pass (%v, %v) vs definitions (%v, %v)", d.id, lex, cov, q.lexical(d), slowCov)
		}
		for i := range ms {
			if ms[i] != sc.matches[i] {
				t.Fatalf("%s need %d: %+v vs %+v", d.id, i, sc.matches[i], ms[i])
			}
		}
	}
}
