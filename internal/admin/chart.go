package admin

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"policybot/internal/querylog"
)

// chart is the daily chart drawn as inline SVG: a bar per day for the questions asked (left axis)
// and a line for the share not answered directly, related and none together (right axis, 0–100%). The template draws
// it; this computes where everything goes.
type chart struct {
	W, H                     int
	Left, Right, Top, Bottom float64 // the plot area
	Bars                     []bar
	Line                     string // polyline points of the share, through the days with questions
	Dots                     []dot
	YTicks, PTicks, XTicks   []tick
	Max                      int // questions at the top of the left axis
	Total                    int // questions in the period
}

type bar struct {
	X, Y, W, H    float64
	Day           string
	Questions     int
	Related, None int
	Share         string
}

type dot struct {
	X, Y  float64
	Title string
}

type tick struct {
	X, Y  float64
	Label string
}

// newChart lays out days (oldest first).
func newChart(days []querylog.Day) chart {
	c := chart{W: 760, H: 260, Left: 48, Right: 704, Top: 16, Bottom: 224}
	most := 0
	for _, d := range days {
		most = max(most, d.Questions)
		c.Total += d.Questions
	}
	step := niceStep(most)
	c.Max = step * max(1, int(math.Ceil(float64(most)/float64(step))))
	if most == 0 {
		step, c.Max = 1, 4
	}
	height := c.Bottom - c.Top
	for v := 0; v <= c.Max; v += step {
		c.YTicks = append(c.YTicks, tick{X: c.Left - 6, Y: round(c.Bottom - float64(v)/float64(c.Max)*height), Label: strconv.Itoa(v)})
	}
	for p := 0; p <= 100; p += 25 {
		c.PTicks = append(c.PTicks, tick{X: c.Right + 6, Y: round(c.Bottom - float64(p)/100*height), Label: strconv.Itoa(p) + "%"})
	}
	if len(days) == 0 {
		return c
	}
	slot := (c.Right - c.Left) / float64(len(days))
	var points []string
	for i, d := range days {
		x := c.Left + float64(i)*slot
		h := float64(d.Questions) / float64(c.Max) * height
		label := d.Date.Format("01-02")
		share := "–"
		if d.Questions > 0 {
			share = fmt.Sprintf("%.0f%%", 100*d.NotConfidentShare())
		}
		c.Bars = append(c.Bars, bar{X: round(x + slot*0.15), Y: round(c.Bottom - h), W: round(slot * 0.7), H: round(h),
			Day: d.Date.Format("2006-01-02"), Questions: d.Questions, Related: d.Related, None: d.None, Share: share})
		if d.Questions > 0 {
			px, py := round(x+slot/2), round(c.Bottom-d.NotConfidentShare()*height)
			points = append(points, fmt.Sprintf("%g,%g", px, py))
			c.Dots = append(c.Dots, dot{X: px, Y: py, Title: fmt.Sprintf("%s 未直接回答 %s", label, share)})
		}
		// Label every fifth day, counting back from the last so that today is labelled.
		if (len(days)-1-i)%5 == 0 {
			c.XTicks = append(c.XTicks, tick{X: round(x + slot/2), Y: c.Bottom + 18, Label: label})
		}
	}
	c.Line = strings.Join(points, " ")
	return c
}

// niceStep is a step of 1, 2 or 5 times a power of ten that divides 0..most into about four.
func niceStep(most int) int {
	if most <= 4 {
		return 1
	}
	raw := float64(most) / 4
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			return int(m * mag)
		}
	}
	return int(10 * mag)
}

func round(x float64) float64 { return math.Round(x*10) / 10 }
