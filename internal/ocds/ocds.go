// Package ocds maps published bettermatch challenges to Open Contracting Data
// Standard 1.1.5 releases and release packages, so a council can publish its
// challenges as open contracting data. It is pure: records in, JSON-ready
// values out, no I/O beyond the writer a package is streamed to.
//
// A published challenge is one contracting process at the tender stage:
//
//   - ocid is Prefix + the challenge id; the release id adds the record's
//     version, so every change is a new release of the same process.
//   - tag is ["tender"], ["award"] once awarded, ["tenderCancellation"] once
//     cancelled (all from the closed releaseTag codelist).
//   - tender.status follows the closed tenderStatus codelist: open and closed
//     are "active" (a closed challenge takes no more responses but is still
//     being evaluated; tenderPeriod.endDate says submissions are over),
//     awarded is "complete", cancelled before closing is "cancelled", and
//     cancelled after closing — the process ran and chose nobody — is
//     "unsuccessful".
//   - buyer and parties come from the organisation (roles buyer and
//     procuringEntity); the winning SME is a supplier party once awarded.
//   - tender.value is the budget's maximum (minValue its minimum when lower),
//     tenderPeriod runs from publication to the deadline, and each CPV code is
//     an item classified under scheme "CPV" with the code's eight digits (the
//     check digit is not part of the code) and its English label.
package ocds

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/bettermatch/bettermatch/internal/cpv"
	"github.com/bettermatch/bettermatch/internal/domain"
)

// Prefix is the ocid prefix of bettermatch's contracting processes.
const Prefix = "ocds-bm0001-"

// Version is the OCDS version packages declare (major.minor, as the schema wants).
const Version = "1.1"

// Release is one OCDS release. Only the fields bettermatch can fill are here.
type Release struct {
	OCID           string   `json:"ocid"`
	ID             string   `json:"id"`
	Date           string   `json:"date"`
	Tag            []string `json:"tag"`
	InitiationType string   `json:"initiationType"`
	Language       string   `json:"language,omitempty"`
	Parties        []Party  `json:"parties"`
	Buyer          OrgRef   `json:"buyer"`
	Tender         Tender   `json:"tender"`
	Awards         []Award  `json:"awards,omitempty"`
	// updated is when the challenge last changed, for the package's publishedDate.
	updated time.Time
}

// Party is an organisation taking part in the process.
type Party struct {
	ID    string   `json:"id"`
	Name  string   `json:"name"`
	Roles []string `json:"roles"`
}

// OrgRef points at a party.
type OrgRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Tender is the tender stage.
type Tender struct {
	ID                       string     `json:"id"`
	Title                    string     `json:"title"`
	Description              string     `json:"description,omitempty"`
	Status                   string     `json:"status"`
	ProcuringEntity          OrgRef     `json:"procuringEntity"`
	Items                    []Item     `json:"items,omitempty"`
	Value                    *Value     `json:"value,omitempty"`
	MinValue                 *Value     `json:"minValue,omitempty"`
	ProcurementMethod        string     `json:"procurementMethod"`
	ProcurementMethodDetails string     `json:"procurementMethodDetails"`
	SubmissionMethod         []string   `json:"submissionMethod"`
	TenderPeriod             Period     `json:"tenderPeriod"`
	EligibilityCriteria      string     `json:"eligibilityCriteria,omitempty"`
	Documents                []Document `json:"documents,omitempty"`
}

// Item is one thing bought, here one CPV code of the challenge.
type Item struct {
	ID             string         `json:"id"`
	Description    string         `json:"description,omitempty"`
	Classification Classification `json:"classification"`
}

// Classification is a code from a scheme.
type Classification struct {
	Scheme      string `json:"scheme"`
	ID          string `json:"id"`
	Description string `json:"description,omitempty"`
}

// Value is an amount of money.
type Value struct {
	Amount   float64 `json:"amount"`
	Currency string  `json:"currency"`
}

// Period is a span of time.
type Period struct {
	StartDate string `json:"startDate,omitempty"`
	EndDate   string `json:"endDate,omitempty"`
}

// Document links to more about the process.
type Document struct {
	ID           string `json:"id"`
	DocumentType string `json:"documentType"`
	Title        string `json:"title"`
	URL          string `json:"url"`
	Format       string `json:"format"`
}

// Award is the decision for one SME.
type Award struct {
	ID        string   `json:"id"`
	Status    string   `json:"status"`
	Date      string   `json:"date,omitempty"`
	Suppliers []OrgRef `json:"suppliers"`
}

// Options say where the records live, for links.
type Options struct {
	// BaseURL is the service's address ("https://match.example.org"); when
	// set, each tender links to its challenge page.
	BaseURL string
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// OrgID is the party id of an organisation: stable for the same name, whatever
// its case or spacing.
func OrgID(org string) string {
	return "org-" + domain.KeyID("organisation", strings.ToLower(strings.Join(strings.Fields(org), " ")))[:12]
}

// SupplierID is the party id of an SME.
func SupplierID(smeID string) string { return "sme-" + smeID }

// TenderStatus maps a challenge's status to the tenderStatus codelist.
func TenderStatus(c *domain.Challenge) string {
	switch c.Status {
	case domain.ChallengeAwarded:
		return "complete"
	case domain.ChallengeCancelled:
		if c.ClosedAt != nil {
			return "unsuccessful"
		}
		return "cancelled"
	case domain.ChallengeDraft:
		return "planning"
	default: // open, closed
		return "active"
	}
}

// NewRelease maps a published challenge. supplier is the awarded SME's name
// ("" when not awarded or unknown).
func NewRelease(c *domain.Challenge, supplier string, opt Options) Release {
	ocid := Prefix + c.ID
	buyer := OrgRef{ID: OrgID(c.Organisation), Name: c.Organisation}
	r := Release{
		OCID:           ocid,
		ID:             ocid + "-v" + strconv.FormatInt(c.Version, 10),
		Date:           stamp(c.UpdatedAt),
		Tag:            []string{"tender"},
		InitiationType: "tender",
		Language:       c.Language,
		Parties:        []Party{{ID: buyer.ID, Name: buyer.Name, Roles: []string{"buyer", "procuringEntity"}}},
		Buyer:          buyer,
		updated:        c.UpdatedAt,
	}
	if r.Language == "" {
		r.Language = "en"
	}
	t := Tender{
		ID:                       c.ID,
		Title:                    c.Title,
		Description:              describe(c),
		Status:                   TenderStatus(c),
		ProcuringEntity:          buyer,
		ProcurementMethod:        "open",
		ProcurementMethodDetails: "bettermatch open innovation challenge: any SME may respond",
		SubmissionMethod:         []string{"electronicSubmission"},
		TenderPeriod:             Period{EndDate: stamp(c.Deadline)},
	}
	if c.PublishedAt != nil {
		t.TenderPeriod.StartDate = stamp(*c.PublishedAt)
	}
	if c.Region != "" {
		t.EligibilityCriteria = "Region: " + c.Region
	}
	if b := c.Budget; b.Currency != "" && (b.Max > 0 || b.Min > 0) {
		amount := b.Max
		if amount == 0 {
			amount = b.Min
		}
		t.Value = &Value{Amount: amount, Currency: b.Currency}
		if b.Min > 0 && b.Min < amount {
			t.MinValue = &Value{Amount: b.Min, Currency: b.Currency}
		}
	}
	for i, code := range c.CPV {
		n := cpv.Normalize(code)
		if n == "" {
			continue
		}
		label := cpv.Label(n)
		t.Items = append(t.Items, Item{ID: strconv.Itoa(i + 1), Description: label,
			Classification: Classification{Scheme: "CPV", ID: n, Description: label}})
	}
	if opt.BaseURL != "" {
		t.Documents = []Document{{ID: "challenge-page", DocumentType: "tenderNotice", Title: c.Title,
			URL: strings.TrimRight(opt.BaseURL, "/") + "/challenges/" + c.ID, Format: "text/html"}}
	}
	r.Tender = t
	switch c.Status {
	case domain.ChallengeAwarded:
		r.Tag = []string{"award"}
		if c.AwardedSMEID != "" {
			sup := OrgRef{ID: SupplierID(c.AwardedSMEID), Name: supplier}
			if sup.Name == "" {
				sup.Name = "SME " + c.AwardedSMEID
			}
			r.Parties = append(r.Parties, Party{ID: sup.ID, Name: sup.Name, Roles: []string{"supplier", "tenderer"}})
			a := Award{ID: c.AwardedResponseID, Status: "active", Suppliers: []OrgRef{sup}}
			if a.ID == "" {
				a.ID = c.ID + "-award"
			}
			if c.AwardedAt != nil {
				a.Date = stamp(*c.AwardedAt)
			}
			r.Awards = []Award{a}
		}
	case domain.ChallengeCancelled:
		r.Tag = []string{"tenderCancellation"}
	}
	return r
}

// describe joins the summary and the description, which OCDS has one field for.
func describe(c *domain.Challenge) string {
	switch {
	case c.Summary == "":
		return c.Description
	case c.Description == "":
		return c.Summary
	}
	return c.Summary + "\n\n" + c.Description
}

// Publisher names who publishes a package.
type Publisher struct {
	Name string `json:"name"`
	URI  string `json:"uri,omitempty"`
}

// Package is a release package (used for single releases; long lists stream
// through a PackageWriter instead).
type Package struct {
	URI           string    `json:"uri"`
	Version       string    `json:"version"`
	PublishedDate string    `json:"publishedDate"`
	Publisher     Publisher `json:"publisher"`
	Releases      []Release `json:"releases"`
}

// NewPackage wraps releases; publishedDate is the latest release date (the
// OCDS advice for packages made on demand), or now when there are none.
func NewPackage(uri string, pub Publisher, now time.Time, rs ...Release) *Package {
	latest := time.Time{}
	for _, r := range rs {
		if r.updated.After(latest) {
			latest = r.updated
		}
	}
	if latest.IsZero() {
		latest = now
	}
	if rs == nil {
		rs = []Release{}
	}
	return &Package{URI: uri, Version: Version, PublishedDate: stamp(latest), Publisher: pub, Releases: rs}
}

// PackageWriter streams a release package, so a feed of every challenge never
// sits in memory. The releases come first and the publishedDate last: JSON
// objects are unordered, and only after the last release is the latest change
// known.
type PackageWriter struct {
	w       io.Writer
	n       int
	latest  time.Time
	err     error
	started bool
	uri     string
	pub     Publisher
}

// NewPackageWriter starts a package at w.
func NewPackageWriter(w io.Writer, uri string, pub Publisher) *PackageWriter {
	return &PackageWriter{w: w, uri: uri, pub: pub}
}

func (p *PackageWriter) write(s string) {
	if p.err == nil {
		_, p.err = io.WriteString(p.w, s)
	}
}

func (p *PackageWriter) start() {
	if p.started {
		return
	}
	p.started = true
	head, _ := json.Marshal(struct {
		URI       string    `json:"uri"`
		Version   string    `json:"version"`
		Publisher Publisher `json:"publisher"`
	}{p.uri, Version, p.pub})
	p.write(string(head[:len(head)-1]) + `,"releases":[`)
}

// Add writes one release.
func (p *PackageWriter) Add(r Release) error {
	p.start()
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if p.n > 0 {
		p.write(",")
	}
	p.write(string(b))
	p.n++
	if r.updated.After(p.latest) {
		p.latest = r.updated
	}
	return p.err
}

// Close ends the package; now is its publishedDate when it holds no release.
func (p *PackageWriter) Close(now time.Time) error {
	p.start()
	if p.latest.IsZero() {
		p.latest = now
	}
	p.write(fmt.Sprintf(`],"publishedDate":%q}`+"\n", stamp(p.latest)))
	return p.err
}

// Count is how many releases were written.
func (p *PackageWriter) Count() int { return p.n }
