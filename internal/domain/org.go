package domain

import (
	"strings"
	"unicode"
)

// OrgKey is the form in which organisation names are compared: people and
// imports spell one organisation "Genoa City Council", "genoa city council"
// or "Genoa  City Council ", and all of them are its officers' organisation.
// The key trims, collapses every run of white space (no-break spaces
// included) to one space and folds case. Stores and indexes keep it beside the
// name, which stays as written for display.
//
// Case folding is Unicode simple folding, as strings.EqualFold does it, with
// each letter mapped to the lower case of its upper case: "ΟΔΟΣ", "οδος" and
// "οδοσ" share a key, as do "K" and the Kelvin sign. Two foldings go further
// than EqualFold: dotted and dotless i ("İzmir", "Izmir", "ızmir") meet at
// "i", since a name typed without a Turkish keyboard is the same name; and
// the full foldings that occur in European public bodies' names are applied,
// "ß" to "ss" ("Stadt Gießen" is "STADT GIESSEN") and the Latin ligatures
// that text pasted from PDFs carries ("ﬁ" to "fi"). Other full foldings
// (CaseFolding.txt status F) and Unicode normalisation (a precomposed "à"
// against "a" and a combining accent) are left out: the domain imports only
// the standard library, which has neither.
//
// Changing the key changes what stored keys mean: the store and the search
// index then need rebuilding (see mongostore's orgKey migration and the
// search mapping version).
func OrgKey(name string) string {
	var b strings.Builder
	for i, word := range strings.Fields(name) {
		if i > 0 {
			b.WriteByte(' ')
		}
		for _, r := range word {
			if s, ok := fullFold[r]; ok {
				b.WriteString(s)
			} else {
				b.WriteRune(unicode.ToLower(unicode.ToUpper(r)))
			}
		}
	}
	return b.String()
}

// fullFold are the full case foldings OrgKey applies (see there).
var fullFold = map[rune]string{
	'ß': "ss", 'ẞ': "ss",
	'ﬀ': "ff", 'ﬁ': "fi", 'ﬂ': "fl", 'ﬃ': "ffi", 'ﬄ': "ffl", 'ﬅ': "st", 'ﬆ': "st",
}

// OrgKeyField is the field Collection.Find filters challenges on by
// organisation key: Where{OrgKeyField: OrgKey(name)} finds the challenges of
// every spelling of name. Stores keep the key beside the name.
const OrgKeyField = "orgKey"

// SameOrg reports whether a and b name the same organisation (OrgKey). A
// blank name is no organisation, so it is never the same as anything.
func SameOrg(a, b string) bool {
	k := OrgKey(a)
	return k != "" && k == OrgKey(b)
}
