package web

import (
	"slices"
	"testing"
)

func rate(v float64) *float64 { return &v }

// A column's height is its rate of the plot's height, a month with nobody
// to count has a dash and no column, and the baseline is drawn at its
// value with its label beside it.
func TestAColumnChartDrawsEachRateToScale(t *testing.T) {
	c := columnChart("c", []barInput{{Label: "Jan 26", Rate: rate(1), Text: "100%"}, {Label: "Feb 26", Text: ""}, {Label: "Mar 26", Rate: rate(0.25), Text: "25%"}},
		&baseline{At: 1.0 / 3, Label: []string{"Research:", "one third"}})
	if len(c.Rects) != 2 {
		t.Fatalf("%d columns for two months with a rate", len(c.Rects))
	}
	full, quarter := c.Rects[0], c.Rects[1]
	if full.Y+full.H != quarter.Y+quarter.H || full.H != 4*quarter.H {
		t.Errorf("columns not to scale: %+v %+v", full, quarter)
	}
	var bodies []string
	for _, tx := range c.Texts {
		bodies = append(bodies, tx.Body)
	}
	for _, want := range []string{"100%", "25%", noData, "Jan 26", "Feb 26", "Research:", "one third", "0%", "50%"} {
		if !slices.Contains(bodies, want) {
			t.Errorf("the chart has no text %q: %v", want, bodies)
		}
	}
	var base *line
	for i := range c.Lines {
		if c.Lines[i].Class == "chart__baseline" {
			base = &c.Lines[i]
		}
	}
	bottom := full.Y + full.H
	if base == nil || base.Y1 != base.Y2 || round1(bottom-base.Y1) != round1(full.H/3) {
		t.Errorf("the baseline is not at one third: %+v (column %+v)", base, full)
	}
}

func TestABarChartDrawsEachRateToScale(t *testing.T) {
	c := barChart("n", []barInput{{Label: "Technology", Rate: rate(0.5), Text: "50%"}, {Label: "Childcare"}, {Label: "Language", Rate: rate(1), Text: "100%"}})
	if len(c.Rects) != 2 || c.Rects[1].W != 2*c.Rects[0].W || c.Rects[0].Y >= c.Rects[1].Y {
		t.Errorf("bars not to scale or out of order: %+v", c.Rects)
	}
	if c.Height < 3*30 {
		t.Errorf("a chart of three rows is %d high", c.Height)
	}
}
