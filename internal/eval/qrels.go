package eval

import (
	"encoding/json"
	"fmt"
	"io"
)

// Qrels are the judgments of a labelled split (dev-qrels.json).
type Qrels struct {
	// ChallengeSMEs maps a challenge externalId to the grades of the SMEs that
	// could take it on: 2 covers every need, 1 some; unlisted SMEs are 0.
	ChallengeSMEs map[string]map[string]int `json:"challengeSmes"`
	// SkillsGap lists SME–challenge pairs with what the SME lacks.
	SkillsGap []GapJudgment `json:"skillsGap"`
}

// GapJudgment is one skills-gap pair.
type GapJudgment struct {
	SME             string   `json:"sme"`
	Challenge       string   `json:"challenge"`
	MissingSkills   []string `json:"missingSkills"`
	RelevantCourses []string `json:"relevantCourses"`
}

// ReadQrels decodes judgments, refusing unknown fields so a changed format is
// noticed rather than silently scored as empty.
func ReadQrels(r io.Reader) (*Qrels, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var q Qrels
	if err := dec.Decode(&q); err != nil {
		return nil, fmt.Errorf("qrels: %w", err)
	}
	return &q, nil
}
