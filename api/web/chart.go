package web

import (
	"math"
	"strconv"
)

// Charts are drawn on the server as inline SVG, from a handful of shapes
// the template writes out: no chart library and no script reach the
// browser. Colour is never the only cue: every bar carries its figure as
// text, and a baseline is a dashed line with its own label.

// chart is an SVG drawing: its size and the shapes in it.
type chart struct {
	ID            string
	Width, Height int
	Rects         []rect
	Lines         []line
	Texts         []text
}

type rect struct{ X, Y, W, H float64 }

type line struct {
	X1, Y1, X2, Y2 float64
	Class          string
}

type text struct {
	X, Y   float64
	Anchor string // start, middle or end
	Class  string
	Body   string
}

// barInput is one bar: its label, its rate (nil with nobody to count)
// and the rate as written.
type barInput struct {
	Label string
	Rate  *float64
	Text  string
}

// baseline is a reference line across a column chart, labelled in a
// line or two to the right of the plot.
type baseline struct {
	At    float64
	Label []string
}

// noData marks a bar with nobody to count.
const noData = "–"

// columnChart draws one column per bar, with a scale from 0 to 100% and,
// when given, a dashed baseline labelled to the right of the plot.
func columnChart(id string, bars []barInput, base *baseline) chart {
	const width, height = 800, 280
	const left, right, top, bottom = 48.0, 640.0, 24.0, 236.0
	c := chart{ID: id, Width: width, Height: height}
	y := func(rate float64) float64 { return round1(bottom - rate*(bottom-top)) }
	for _, pct := range []float64{0, 0.25, 0.5, 0.75, 1} {
		c.Lines = append(c.Lines, line{X1: left, Y1: y(pct), X2: right, Y2: y(pct), Class: "chart__grid"})
		c.Texts = append(c.Texts, text{X: left - 6, Y: y(pct) + 5, Anchor: "end", Class: "chart__axis", Body: strconv.Itoa(int(pct*100)) + "%"})
	}
	slot := (right - left) / float64(max(len(bars), 1))
	for i, b := range bars {
		mid := round1(left + slot*(float64(i)+0.5))
		c.Texts = append(c.Texts, text{X: mid, Y: bottom + 22, Anchor: "middle", Class: "chart__axis", Body: b.Label})
		if b.Rate == nil {
			c.Texts = append(c.Texts, text{X: mid, Y: bottom - 6, Anchor: "middle", Class: "chart__value", Body: noData})
			continue
		}
		top := y(*b.Rate)
		w := round1(slot * 0.6)
		c.Rects = append(c.Rects, rect{X: round1(mid - w/2), Y: top, W: w, H: round1(bottom - top)})
		c.Texts = append(c.Texts, text{X: mid, Y: top - 6, Anchor: "middle", Class: "chart__value", Body: b.Text})
	}
	if base != nil {
		c.Lines = append(c.Lines, line{X1: left, Y1: y(base.At), X2: right, Y2: y(base.At), Class: "chart__baseline"})
		for i, l := range base.Label {
			c.Texts = append(c.Texts, text{X: right + 8, Y: y(base.At) + 5 + 18*float64(i), Anchor: "start", Class: "chart__baseline-label", Body: l})
		}
	}
	return c
}

// barChart draws one horizontal bar per item, labelled on the left, with
// its figure at the bar's end.
func barChart(id string, bars []barInput) chart {
	const width, rowHeight, labelWidth, valueWidth = 800, 34.0, 190.0, 60.0
	height := int(rowHeight*float64(len(bars)) + 10)
	c := chart{ID: id, Width: width, Height: height}
	span := float64(width) - labelWidth - valueWidth
	c.Lines = append(c.Lines, line{X1: labelWidth, Y1: 0, X2: labelWidth, Y2: float64(height), Class: "chart__grid"})
	for i, b := range bars {
		top := rowHeight*float64(i) + 6
		c.Texts = append(c.Texts, text{X: labelWidth - 8, Y: top + 17, Anchor: "end", Class: "chart__axis", Body: b.Label})
		if b.Rate == nil {
			c.Texts = append(c.Texts, text{X: labelWidth + 8, Y: top + 17, Anchor: "start", Class: "chart__value", Body: noData})
			continue
		}
		w := round1(*b.Rate * span)
		c.Rects = append(c.Rects, rect{X: labelWidth, Y: top, W: w, H: 22})
		c.Texts = append(c.Texts, text{X: round1(labelWidth + w + 8), Y: top + 17, Anchor: "start", Class: "chart__value", Body: b.Text})
	}
	return c
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }
