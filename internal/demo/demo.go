// Package demo holds the project's own demo data: SMEs, challenges and courses
// set in the regions of the BETTER partners (Genoa, Birmingham, Nyíregyháza,
// Gävle, Tartu), and one account per role to click through them.
//
// The data and accounts are for local demos only. They are created only when
// demo loading is switched on (BETTERMATCH_DEMO=true) and the database is
// empty; a database with any SMEs, challenges or courses is left alone. Never
// switch demo loading on for a public deployment: the passwords below are
// published with the source code.
//
// JSON is in the import format of `bettermatch import` (see
// ../shared/eval/README.md). The companies are invented (see NOTICE.md); the
// public bodies are real, but the challenges are not theirs.
package demo

import _ "embed"

// JSON is demo.json: 36 SMEs, 14 challenges (13 open, 1 draft) and 24 courses.
//
//go:embed demo.json
var JSON []byte

// Account is a demo account, created active.
type Account struct {
	Email    string
	Password string
	Name     string
	Role     string // sme, officer, provider or admin
	// Organisation: for an officer, the organisation whose challenges it
	// manages (challenges are matched by their organisation field); for a
	// provider, the provider whose courses it owns (courses are matched by
	// their provider field); for an sme account, the company name.
	Organisation string
	// SME is the externalId of the profile an sme account owns.
	SME string
}

// Accounts are the demo accounts, one per role.
//
//   - sme@demo.bettermatch.test owns Ledger Lane Analytics (demo-sme-01), a
//     full match for "Forecasting winter demand for home care" and a partial
//     one, with a skills gap, for the bike-share and emergency department
//     challenges.
//   - officer@demo.bettermatch.test is Birmingham City Council's officer: it
//     manages demo-ch-01 to demo-ch-04, one of them a draft it can publish.
//   - provider@demo.bettermatch.test owns the courses of Westside Code School
//     (demo-co-01 to demo-co-04).
//   - admin@demo.bettermatch.test is the demo's administrator. An operator
//     normally configures the admin with BETTERMATCH_ADMIN_EMAIL and
//     BETTERMATCH_ADMIN_PASSWORD; this one exists so that a fresh demo has an
//     admin even when those are unset.
var Accounts = []Account{
	{
		Email:        "sme@demo.bettermatch.test",
		Password:     "demo-password-sme",
		Name:         "Priya Chauhan",
		Role:         "sme",
		Organisation: "Ledger Lane Analytics Ltd",
		SME:          "demo-sme-01",
	},
	{
		Email:        "officer@demo.bettermatch.test",
		Password:     "demo-password-officer",
		Name:         "Tom Whitfield",
		Role:         "officer",
		Organisation: "Birmingham City Council",
	},
	{
		Email:        "provider@demo.bettermatch.test",
		Password:     "demo-password-provider",
		Name:         "Grace Okafor",
		Role:         "provider",
		Organisation: "Westside Code School",
	},
	Admin,
}

// Admin is the demo's default administrator, also listed in Accounts.
var Admin = Account{
	Email:        "admin@demo.bettermatch.test",
	Password:     "demo-password-admin",
	Name:         "Demo Administrator",
	Role:         "admin",
	Organisation: "bettermatch demo",
}

// Organisations are the public bodies that post the demo challenges.
var Organisations = []string{
	"Birmingham City Council",
	"Comune di Genova",
	"Nyíregyháza Municipality",
	"Gävle Municipality",
	"Region Gävleborg",
	"Tartu City Government",
	"Tartu University Hospital",
}
