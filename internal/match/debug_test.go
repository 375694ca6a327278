package match_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/match"
)

// TestDebugChallenge prints the ranking of the challenges named in
// BETTERMATCH_DEBUG (comma-separated externalIds) with explanations.
func TestDebugChallenge(t *testing.T) {
	want := os.Getenv("BETTERMATCH_DEBUG")
	if want == "" {
		t.Skip("set BETTERMATCH_DEBUG=ch-id,... to print rankings")
	}
	ds, qrels := loadSplit(t, evalDir(), "dev")
	e := load(ds, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	desc := map[string]string{}
	for _, s := range ds.SMEs {
		desc[s.ID] = s.Description + " " + strings.Join(s.Capabilities, "/") + " " + strings.Join(s.Skills, "/") + " " + strings.Join(s.CPV, "/")
	}
	for _, c := range ds.Challenges {
		if !strings.Contains(want, c.ExternalID) {
			continue
		}
		for _, l := range append(match.DebugNeeds(e, c), match.DebugCos(e, c)...) {
			t.Log(l)
		}
		ms, _ := e.SMEsFor(context.Background(), c, 14)
		for _, m := range ms {
			x := m.Explanation
			t.Logf("%d %.3f L%.2f S%.2f %s %v\n    %s", qrels.ChallengeSMEs[c.ExternalID][m.ID], m.Score, x.Lexical, x.Structured, m.ID, x.Reasons, desc[m.ID])
		}
	}
}
