package match

import (
	"context"
	"sort"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// SkillsGap lists the required capabilities and skills of c that s does not
// show — judged, like ranking, from its lists and from its prose (its own
// words for the need, and the words the corpus associates with it) — and ranks
// courses by how much of that gap they close.
func (e *Engine) SkillsGap(ctx context.Context, s *domain.SME, c *domain.Challenge, limit int) (*domain.Gap, error) {
	if s == nil || c == nil {
		return nil, domain.Errorf(domain.EINVALID, "A profile and a challenge are needed.")
	}
	if limit <= 0 {
		limit = 10
	}
	sa, ca := e.analyse(smeText(s)), e.analyse(challengeText(c))
	e.rlock()
	defer e.mu.RUnlock()
	tab := e.table()
	sd := build(sa, e.terms.lookup, e.concepts.lookup)
	sd.norm = e.smes.norm(sd)
	q := e.newQuery(build(ca, e.terms.lookup, e.concepts.lookup), tab)

	gap := &domain.Gap{MissingSkills: []string{}, MissingCapabilities: []string{}, Covered: []string{}, Courses: []domain.CourseMatch{}}
	var missing []*need
	for i := range q.needs {
		n := &q.needs[i]
		if n.phrase == nil || n.inferred {
			continue // CPV codes are what a tender buys, not skills to learn
		}
		if n.match(sd).cov >= coveredAt {
			gap.Covered = append(gap.Covered, n.label)
			continue
		}
		missing = append(missing, n)
		if n.skill {
			gap.MissingSkills = append(gap.MissingSkills, n.label)
		} else {
			gap.MissingCapabilities = append(gap.MissingCapabilities, n.label)
		}
	}
	if len(missing) == 0 {
		return gap, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var ranked []courseRank
	for _, cd := range e.courses.docs {
		if cd == nil {
			continue
		}
		r := courseRank{doc: cd}
		var sum float64
		for _, n := range missing {
			cov := courseCovers(n, cd)
			sum += cov
			if cov >= coveredAt {
				r.closes = append(r.closes, n.label)
			}
		}
		r.coverage = sum / float64(len(missing))
		if len(r.closes) == 0 {
			continue
		}
		r.sameRegion = cd.region != "" && cd.region == sd.region
		ranked = append(ranked, r)
	}
	sort.SliceStable(ranked, func(i, j int) bool { return ranked[i].before(&ranked[j]) })
	for i, r := range ranked {
		if i >= limit {
			break
		}
		gap.Courses = append(gap.Courses, domain.CourseMatch{
			ID: r.doc.id, Score: round3(courseScore(r)), Closes: r.closes, Coverage: round3(r.coverage)})
	}
	return gap, nil
}

// courseCovers is how well course d teaches need n: a skill it lists with the
// same name is full credit, a near name less, and otherwise its title and
// description, by the need's own words or the learned ones.
func courseCovers(n *need, d *doc) float64 {
	m := n.match(d)
	if m.how == byPhrase {
		return m.cov
	}
	// Words alone are weaker evidence than a listed skill: a course on
	// "health data analysis" mentions "data analysis" without teaching it.
	return 0.8 * m.cov
}

type courseRank struct {
	doc        *doc
	coverage   float64
	closes     []string
	sameRegion bool
}

// before orders courses: more of the gap closed first, then by mode (online,
// then blended, then in person, which only suits those nearby), then same
// region, then funded, then cheaper.
func (a *courseRank) before(b *courseRank) bool {
	ca, cb := round3(a.coverage), round3(b.coverage)
	if ca != cb {
		return ca > cb
	}
	if ma, mb := modeRank(a.doc.course.Mode), modeRank(b.doc.course.Mode); ma != mb {
		return ma < mb
	}
	if a.sameRegion != b.sameRegion {
		return a.sameRegion
	}
	if a.doc.course.Funded != b.doc.course.Funded {
		return a.doc.course.Funded
	}
	return a.doc.course.Cost < b.doc.course.Cost
}

func modeRank(m string) int {
	switch m {
	case domain.ModeOnline:
		return 0
	case domain.ModeBlended:
		return 1
	}
	return 2
}

// courseScore is a course's place as a number in [0,1]: its coverage, nudged
// by how easy it is to take, never enough to pass a course that closes more.
func courseScore(r courseRank) float64 {
	bonus := 0.0
	if r.sameRegion || r.doc.course.Mode == domain.ModeOnline {
		bonus += 0.02
	}
	if r.doc.course.Funded || r.doc.course.Cost == 0 {
		bonus += 0.02
	}
	return clamp01(0.95*r.coverage + bonus)
}
