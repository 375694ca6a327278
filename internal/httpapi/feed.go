package httpapi

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/service"
	"github.com/labstack/echo/v4"
)

// An Atom 1.0 feed (RFC 4287) of newly published challenges, so an SME can
// follow opportunities in any feed reader. It lists open challenges only —
// those an SME can still respond to — newest publication first, filtered like
// the challenge search (?theme=, ?region=). It runs the same search as the
// API's anonymous challenge list, so it shows nothing the public cannot see.

// feedSize is how many entries a feed holds; readers keep older ones.
const feedSize = 50

func (s *Server) registerFeedRoutes(e *echo.Echo) {
	e.GET("/feeds/challenges.atom", s.challengesFeed)
}

type atomFeed struct {
	XMLName   xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID        string      `xml:"id"`
	Title     string      `xml:"title"`
	Subtitle  string      `xml:"subtitle,omitempty"`
	Updated   string      `xml:"updated"`
	Links     []atomLink  `xml:"link"`
	Author    atomPerson  `xml:"author"`
	Generator string      `xml:"generator"`
	Entries   []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomCategory struct {
	Term   string `xml:"term,attr"`
	Scheme string `xml:"scheme,attr,omitempty"`
	Label  string `xml:"label,attr,omitempty"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      string         `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published,omitempty"`
	Links      []atomLink     `xml:"link"`
	Author     atomPerson     `xml:"author"`
	Categories []atomCategory `xml:"category"`
	Summary    atomText       `xml:"summary"`
}

func (s *Server) challengesFeed(c echo.Context) error {
	theme, region := c.QueryParam("theme"), c.QueryParam("region")
	if theme != "" && !slices.Contains(domain.Themes, theme) {
		return &domain.Error{Code: domain.EINVALID, Message: "The request has invalid fields.",
			Fields: []domain.FieldError{{Field: "theme", Message: "must be one of health, data, mobility, sme-digital, other"}}}
	}
	// nil actor: the feed is public, whoever's reader fetches it.
	page, err := s.svc.SearchChallenges(c.Request().Context(), nil, service.ChallengeQuery{
		Theme: theme, Region: region, Status: domain.ChallengeOpen, Sort: "newest", Limit: feedSize})
	if err != nil {
		return err
	}
	base := baseURL(c)
	filter := url.Values{}
	if theme != "" {
		filter.Set("theme", theme)
	}
	if region != "" {
		filter.Set("region", region)
	}
	title := "bettermatch: new challenges"
	if theme != "" || region != "" {
		title += " (" + filterLabel(theme, region) + ")"
	}
	alt := base + "/challenges"
	if q := filter.Encode(); q != "" {
		alt += "?" + q
	}
	f := atomFeed{
		ID:        base + c.Request().URL.RequestURI(),
		Title:     title,
		Subtitle:  "Public-sector challenges open to SMEs, newest first.",
		Links:     []atomLink{{Rel: "self", Type: "application/atom+xml", Href: base + c.Request().URL.RequestURI()}, {Rel: "alternate", Type: "text/html", Href: alt}},
		Author:    atomPerson{Name: "bettermatch"},
		Generator: "bettermatch",
	}
	var updated time.Time
	for _, ch := range page.Items {
		if ch.UpdatedAt.After(updated) {
			updated = ch.UpdatedAt
		}
		f.Entries = append(f.Entries, feedEntry(base, ch))
	}
	if updated.IsZero() {
		updated = s.svc.Now()
	}
	f.Updated = atomTime(updated)
	out, err := xml.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/atom+xml; charset=utf-8")
	c.Response().Header().Set(echo.HeaderLastModified, updated.UTC().Format(http.TimeFormat))
	c.Response().WriteHeader(http.StatusOK)
	_, _ = c.Response().Write([]byte(xml.Header))
	_, _ = c.Response().Write(out)
	return nil
}

func filterLabel(theme, region string) string {
	switch {
	case theme == "":
		return region
	case region == "":
		return theme
	}
	return theme + ", " + region
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// feedEntry is one challenge. Its id is the challenge page's address, which
// never changes for the challenge.
func feedEntry(base string, ch *domain.Challenge) atomEntry {
	page := base + "/challenges/" + ch.ID
	e := atomEntry{
		ID:      page,
		Title:   ch.Title,
		Updated: atomTime(ch.UpdatedAt),
		Links: []atomLink{{Rel: "alternate", Type: "text/html", Href: page},
			{Rel: "related", Type: "application/json", Href: base + "/api/v1/challenges/" + ch.ID}},
		Author:     atomPerson{Name: ch.Organisation},
		Categories: []atomCategory{{Term: ch.Theme, Scheme: base + "/challenges?theme=", Label: "Theme: " + ch.Theme}},
	}
	if ch.PublishedAt != nil {
		e.Published = atomTime(*ch.PublishedAt)
	}
	if ch.Region != "" {
		e.Categories = append(e.Categories, atomCategory{Term: ch.Region, Scheme: base + "/challenges?region=", Label: "Region: " + ch.Region})
	}
	summary := ch.Summary
	if summary == "" {
		summary = ch.Description
		if r := []rune(summary); len(r) > 400 {
			summary = string(r[:400]) + "…"
		}
	}
	summary += fmt.Sprintf("\n\nRegion: %s. Respond by %s.", ch.Region, ch.Deadline.UTC().Format("2 January 2006, 15:04 MST"))
	if b := ch.Budget; b.Max > 0 {
		summary += fmt.Sprintf(" Budget up to %s %.0f.", b.Currency, b.Max)
	}
	e.Summary = atomText{Type: "text", Body: summary}
	return e
}
