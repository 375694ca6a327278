package web

import (
	"fmt"
	"math"
	"strings"
)

// Charts are drawn here as SVG geometry and written by the stats template, so
// they need no script, no library and no inline styles (colours come from CSS
// classes). Each chart is an image with a title and a description for
// assistive technology; the data table beside it carries the numbers.

type chartSeries struct {
	Label string
	Class string
}

type chartBar struct {
	X, Y, W, H     float64
	Class          string
	Value          int
	LabelX, LabelY float64
	ShowValue      bool
	Tip            string
}

type chartTick struct {
	Y     float64
	Label string
}

type chartLabel struct {
	X     float64
	Label string
	// Lines is Label wrapped to fit under its group of bars.
	Lines []string
}

type chart struct {
	ID, Title, Desc        string
	W, H                   int
	Left, Top, Right, Base float64
	Series                 []chartSeries
	Bars                   []chartBar
	Ticks                  []chartTick
	XLabels                []chartLabel
	Empty                  bool
}

// groupedBars lays out one group of bars per key, one bar per series.
// values[k][s] is the value of series s for key k.
func groupedBars(id, title, noun string, keys []string, series []chartSeries, values [][]int) chart {
	c := chart{ID: id, Title: title, W: 560, H: 300, Left: 40, Top: 20, Right: 552, Base: 250, Series: series}
	max := 0
	for _, row := range values {
		for _, v := range row {
			max = int(math.Max(float64(max), float64(v)))
		}
	}
	c.Empty = len(keys) == 0 || max == 0
	step, top := niceScale(max)
	plotH := c.Base - c.Top
	for v := 0; v <= top; v += step {
		c.Ticks = append(c.Ticks, chartTick{Y: c.Base - float64(v)/float64(top)*plotH, Label: fmt.Sprint(v)})
	}
	if len(keys) == 0 {
		c.Desc = "No data yet."
		return c
	}
	groupW := (c.Right - c.Left) / float64(len(keys))
	barW := math.Min(40, groupW*0.8/float64(len(series)))
	for k, key := range keys {
		x0 := c.Left + float64(k)*groupW + (groupW-barW*float64(len(series)))/2
		c.XLabels = append(c.XLabels, chartLabel{X: c.Left + float64(k)*groupW + groupW/2, Label: key,
			Lines: wrapWords(key, int(groupW/8.5))})
		for s, ser := range series {
			v := values[k][s]
			h := float64(v) / float64(top) * plotH
			b := chartBar{X: x0 + float64(s)*barW, Y: c.Base - h, W: barW - 2, H: h, Class: ser.Class, Value: v,
				Tip: fmt.Sprintf("%s, %s: %d", key, strings.ToLower(ser.Label), v)}
			b.LabelX, b.LabelY = b.X+b.W/2, b.Y-4
			b.ShowValue = barW >= 18
			c.Bars = append(c.Bars, b)
		}
	}
	c.Desc = describe(noun, keys, series, values)
	return c
}

// niceScale picks a tick step of 1, 2 or 5 times a power of ten giving at most
// five ticks above zero, and the axis top as a multiple of it.
func niceScale(max int) (step, top int) {
	if max <= 0 {
		return 1, 1
	}
	raw := float64(max) / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step = int(mag)
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			step = int(m * mag)
			break
		}
	}
	if step < 1 {
		step = 1
	}
	top = (max + step - 1) / step * step
	return step, top
}

// describe summarises a chart in a sentence or two for screen readers.
func describe(noun string, keys []string, series []chartSeries, values [][]int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Bar chart of %d indicators for %d %s", len(series), len(keys), noun)
	if len(keys) > 1 {
		fmt.Fprintf(&b, ", from %s to %s", keys[0], keys[len(keys)-1])
	}
	b.WriteString(".")
	for s, ser := range series {
		best, at := -1, ""
		total := 0
		for k := range keys {
			total += values[k][s]
			if values[k][s] > best {
				best, at = values[k][s], keys[k]
			}
		}
		fmt.Fprintf(&b, " %s: %d in all", ser.Label, total)
		if best > 0 {
			fmt.Fprintf(&b, ", most in %s (%d)", at, best)
		}
		b.WriteString(".")
	}
	b.WriteString(" The table beside the chart gives every value.")
	return b.String()
}

// wrapWords breaks s into lines of at most width characters (a long word
// gets a line of its own), at most three, for labels under narrow groups.
func wrapWords(s string, width int) []string {
	if width < 6 {
		width = 6
	}
	var lines []string
	cur := ""
	for _, w := range strings.Fields(s) {
		if cur != "" && len(cur)+1+len(w) > width {
			lines = append(lines, cur)
			cur = w
			continue
		}
		if cur != "" {
			cur += " "
		}
		cur += w
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	if len(lines) > 3 {
		lines = append(lines[:2], strings.Join(lines[2:], " "))
	}
	return lines
}
