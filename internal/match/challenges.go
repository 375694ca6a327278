package match

import (
	"context"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// ChallengesFor ranks open challenges (status open, deadline ahead) for an SME
// with the very same pair score as SMEsFor, so a firm and an officer see the
// same number for the same pair. Open challenges are few next to profiles, so
// each is scored; their prepared queries are cached until the corpus changes.
func (e *Engine) ChallengesFor(ctx context.Context, s *domain.SME, limit int) ([]domain.Match, error) {
	if s == nil {
		return nil, domain.Errorf(domain.EINVALID, "No profile to match.")
	}
	if limit <= 0 {
		limit = 10
	}
	a := e.analyse(smeText(s))
	now := e.opts.Now()
	e.rlock()
	defer e.mu.RUnlock()
	tab := e.table()
	d := build(a, e.terms.lookup, e.concepts.lookup)
	d.sme = s
	d.norm = e.smes.norm(d)
	dv := e.vector(domain.KindSME, s.ID)

	top := newTopK(limit)
	queries := map[uint32]*query{}
	for i, c := range e.challenges.docs {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if c == nil || c.challenge.Status != domain.ChallengeOpen || !c.challenge.Deadline.After(now) {
			continue
		}
		q := e.challengeQuery(c, tab)
		queries[c.slot] = q
		f := e.features(q, d, e.vector(domain.KindChallenge, c.id), dv, q.newScratch())
		score, _ := Fuse(f, e.opts.Weights)
		top.push(c.slot, score)
	}
	var out []domain.Match
	for _, sc := range top.sorted() {
		c := e.challenges.docs[sc.slot]
		m := e.explain(queries[sc.slot], d, e.vector(domain.KindChallenge, c.id), dv)
		m.Kind, m.ID = domain.KindChallenge, c.id
		out = append(out, m)
	}
	return out, nil
}

// challengeQuery returns the prepared query of a stored challenge, from the
// cache when the challenge and the learned associations are the ones it was
// prepared with.
//
// A query also carries the profile side's word statistics (idf, length norms)
// of when it was prepared. Those move with every profile edit, but a few edits
// among thousands of profiles barely move them, so the cache lives as long as
// the association table, which already stands for the corpus between two
// relearnings (Options.Relearn, and at once when the corpus grows or shrinks
// by a tenth). Dropping it on every write instead had every SME's match list
// prepare every open challenge again under a steady trickle of profile edits
// (7% of the CPU of scripts/load at 500 req/s). With a negative Relearn, the
// cache is dropped on every write, as exact tests want.
func (e *Engine) challengeQuery(c *doc, tab *assocTable) *query {
	e.qmu.Lock()
	defer e.qmu.Unlock()
	if e.qtab != tab || (e.opts.Relearn < 0 && e.qgen != e.gen) {
		e.qcache, e.qgen, e.qtab = map[string]*query{}, e.gen, tab
	}
	// A challenge edited since is a new doc: prepare it again.
	if q, ok := e.qcache[c.id]; ok && q.doc == c {
		return q
	}
	q := e.newQuery(c, tab)
	e.qcache[c.id] = q
	return q
}
