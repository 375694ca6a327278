package web

import (
	"net/http"
	"net/url"
	"strconv"
)

// pager is page-numbered navigation over a list, keeping the other query
// parameters (search words, filters) in its links.
type pager struct {
	Page, Pages int
	Prev, Next  string
}

const perPage = 10

// pageParams reads ?page= as limit and offset.
func pageParams(r *http.Request) (page, offset int) {
	page, _ = strconv.Atoi(r.URL.Query().Get("page"))
	if page < 1 || page > 1000 {
		page = 1
	}
	return page, (page - 1) * perPage
}

func newPager(q url.Values, page, total int) pager {
	p := pager{Page: page, Pages: (total + perPage - 1) / perPage}
	if p.Pages < 1 {
		p.Pages = 1
	}
	if page > 1 {
		p.Prev = withParam(q, "page", pageNum(page-1))
	}
	if page < p.Pages {
		p.Next = withParam(q, "page", strconv.Itoa(page+1))
	}
	return p
}

func pageNum(n int) string {
	if n <= 1 {
		return ""
	}
	return strconv.Itoa(n)
}
