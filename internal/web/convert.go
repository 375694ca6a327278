package web

import "strconv"

func itoa(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func i64toa(n int64) string { return strconv.FormatInt(n, 10) }
