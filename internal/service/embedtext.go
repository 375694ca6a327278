package service

import (
	"strings"
	"unicode/utf8"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// maxEmbedText bounds the text sent for one record, in bytes. OpenAI's models
// take about 8,000 tokens and many local ones far fewer, and an over-long input
// fails the whole batch; the head of the text — name, summary, the lists —
// carries most of its meaning, so the tail of a long description is what goes.
const maxEmbedText = 8000

// EmbeddingText is the text embedded for a record (an *SME, *Challenge or
// *Course; "" for anything else). Its SHA-256 is stored with the vector, so a
// record is embedded again only when this text changes — a status change or a
// new budget costs no call.
func EmbeddingText(r domain.Record) string {
	switch r := r.(type) {
	case *domain.SME:
		return smeEmbeddingText(r)
	case *domain.Challenge:
		return challengeEmbeddingText(r)
	case *domain.Course:
		return courseEmbeddingText(r)
	}
	return ""
}

// smeEmbeddingText is what a company says it does: its name, summary,
// capabilities, skills and description. The CPV and SIC codes are left out:
// they are numbers to a language model, and the matcher scores them already.
func smeEmbeddingText(s *domain.SME) string {
	return joinEmbedding(s.Name, s.Summary, labelled("Capabilities", s.Capabilities), labelled("Skills", s.Skills), s.Description)
}

// challengeEmbeddingText is what the buyer needs: title, summary, required
// capabilities and skills, and description. The organisation's name says who
// asks, not what for, so it is left out.
func challengeEmbeddingText(c *domain.Challenge) string {
	return joinEmbedding(c.Title, c.Summary, labelled("Required capabilities", c.RequiredCapabilities), labelled("Required skills", c.RequiredSkills), c.Description)
}

// courseEmbeddingText is what a course teaches: title, skills and description.
func courseEmbeddingText(c *domain.Course) string {
	return joinEmbedding(c.Title, labelled("Skills taught", c.Skills), c.Description)
}

// labelled renders a labelled list, or "" when it is empty. The label tells the
// model the words are a list of abilities, not a sentence.
func labelled(label string, items []string) string {
	if len(items) == 0 {
		return ""
	}
	return label + ": " + strings.Join(items, ", ") + "."
}

// joinEmbedding puts the non-empty parts on their own lines, with runs of
// white space collapsed (so re-wrapping a paragraph changes neither the hash
// nor the vector), and cuts the result to maxEmbedText on a rune boundary.
func joinEmbedding(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		p = strings.Join(strings.Fields(p), " ")
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p)
	}
	s := b.String()
	if len(s) > maxEmbedText {
		s = s[:maxEmbedText]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return s
}
