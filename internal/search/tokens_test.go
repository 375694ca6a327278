package search

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// TestTokenMemoMatchesAnalyzer: analysing a text in pieces between white
// space, remembering the pieces, gives what analysing it whole does, in every
// language, for text full of what word segmentation treats specially.
func TestTokenMemoMatchesAnalyzer(t *testing.T) {
	bits := []string{
		"air", "Quality", "schools", "school's", "don't", "e.g.", "3.5", "1,000", "38432000-2", "co-operation",
		"l'analisi", "dell'aria", "città", "Gävle", "Nyíregyháza", "õpe", "fiú", "the", "of", "and", "il", "és", "och",
		"<script>", "alert(\"x\")", "&amp;", "—", "–", "“quoted”", "«", "»", "...", "a_b", "x:y", "!", "?",
		"e\u0301", "\u0301", "\u200d", "\u200b", "\u00ad", "\uff9e", "👍🏽", "🏽", "日本語", "カタカナ", "שָׁלוֹם", "\u00a0",
		" ", " ", " ", "  ", "\t", "\n", "\r\n",
	}
	r := rand.New(rand.NewPCG(5, 8))
	an := NewAnalyzer()
	for _, lang := range languages {
		m := an.memo(lang)
		for range 3000 {
			var b strings.Builder
			for range r.IntN(14) {
				b.WriteString(bits[r.IntN(len(bits))])
				if r.IntN(3) > 0 {
					b.WriteByte(' ')
				}
			}
			text := b.String()
			want := an.tokens(text, lang)
			got := m.tokens(text, nil)
			if len(want) == 0 && len(got) == 0 {
				continue
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s %q:\npieces %v\n whole %v", lang, text, got, want)
			}
		}
	}
}
