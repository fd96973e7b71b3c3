package views

import (
	"net/url"
	"strconv"

	"leadkeep/store"
)

// StatsData is the /stats page.
type StatsData struct {
	Stats store.Stats
	// Who may follow a top deleter to their deletions in the Trash: everyone's
	// (TrashAll, managers), or only their own (TrashOwn and Me, agents). Viewers
	// see the names alone.
	TrashAll bool
	TrashOwn bool
	Me       string
}

// deleterLink is where a top deleter's name leads: their deletions in the Trash,
// or "" when the member may not see them.
func (d StatsData) deleterLink(del store.Deleter) string {
	if !d.TrashAll && !(d.TrashOwn && del.ActorID == d.Me) {
		return ""
	}
	return "/trash?" + url.Values{"view": {"batches"}, "by": {del.ActorID}}.Encode()
}

// The chart's frame, in SVG user units: the plot area and the margins that hold
// the axes' labels. CSS scales the whole to the page's width.
const (
	chartWidth  = 960
	chartHeight = 280
	plotLeft    = 48
	plotTop     = 14
	plotWidth   = chartWidth - plotLeft - 12
	plotHeight  = chartHeight - plotTop - 40
	barWidth    = 11
	barGap      = 2
	// minBarHeight keeps a day with one lead among thousands visible.
	minBarHeight = 2
)

// Chart is the geometry of the per-day bar chart, worked out here so that the
// template only draws it.
type Chart struct {
	Max   int // the value at the top of the y axis
	Ticks []ChartTick
	Days  []ChartDay
	// Deleted and Restored are the period's totals; Busiest is the day with the
	// most deletions (nil when there were none).
	Deleted, Restored int
	Busiest           *store.DayCount
}

// ChartTick is a value on the y axis and the height it is drawn at.
type ChartTick struct {
	Value int
	Y     float64
}

// ChartDay is one day's slot on the x axis: its two bars, deletions then restores.
type ChartDay struct {
	store.DayCount
	X         float64 // the slot's centre
	Label     string  // "Nov 2", on every seventh day counting back from today
	Deleted   ChartBar
	Restored  ChartBar
	DayString string // 2006-01-02
}

// ChartBar is one bar: its value and its rectangle.
type ChartBar struct {
	Value      int
	X, Y, W, H float64
}

// dayChart lays out the days as pairs of bars over a y axis from 0 to a round
// number at or above the largest value.
func dayChart(days []store.DayCount) Chart {
	c := Chart{}
	largest := 0
	for i, d := range days {
		c.Deleted += d.Deleted
		c.Restored += d.Restored
		largest = max(largest, d.Deleted, d.Restored)
		if d.Deleted > 0 && (c.Busiest == nil || d.Deleted > c.Busiest.Deleted) {
			c.Busiest = &days[i]
		}
	}
	step := niceStep(largest)
	c.Max = step * ((largest + step - 1) / step)
	if c.Max == 0 {
		c.Max = 4 * step
	}
	for v := 0; v <= c.Max; v += step {
		c.Ticks = append(c.Ticks, ChartTick{Value: v, Y: plotTop + plotHeight - float64(v)/float64(c.Max)*plotHeight})
	}
	slot := float64(plotWidth) / float64(max(len(days), 1))
	bar := func(v int, x float64) ChartBar {
		h := float64(v) / float64(c.Max) * plotHeight
		if v > 0 && h < minBarHeight {
			h = minBarHeight
		}
		return ChartBar{Value: v, X: x, Y: plotTop + plotHeight - h, W: barWidth, H: h}
	}
	for i, d := range days {
		left := plotLeft + float64(i)*slot + (slot-2*barWidth-barGap)/2
		cd := ChartDay{DayCount: d, X: plotLeft + (float64(i)+0.5)*slot, DayString: d.Day.Format("2006-01-02"),
			Deleted: bar(d.Deleted, left), Restored: bar(d.Restored, left+barWidth+barGap)}
		if (len(days)-1-i)%7 == 0 {
			cd.Label = d.Day.Format("Jan 2")
		}
		c.Days = append(c.Days, cd)
	}
	return c
}

// niceStep is the step between the y axis' ticks: 1, 2 or 5 times a power of ten,
// so that the axis from 0 to the largest value has at most five steps.
func niceStep(largest int) int {
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 5} {
			if s := m * p; s*5 >= largest {
				return s
			}
		}
	}
}

// num writes an SVG coordinate.
func num(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }

// chartSummary is the chart's text for people who do not see it.
func chartSummary(st store.Stats, c Chart) string {
	period := periodText(st)
	if c.Deleted == 0 && c.Restored == 0 {
		return "No lead was deleted or restored from " + period + "."
	}
	s := "From " + period + ", " + plural(c.Deleted, "lead") + " deleted and " + thousands(c.Restored) + " restored (undo included)."
	if c.Busiest != nil {
		s += " Most deletions: " + thousands(c.Busiest.Deleted) + " on " + c.Busiest.Day.Format("Jan 2") + "."
	}
	return s + " The table below the chart has every day's numbers."
}

// periodText is the period as people read it: "Oct 4 to Nov 2, 2026".
func periodText(st store.Stats) string {
	if len(st.Days) == 0 {
		return ""
	}
	first, last := st.Days[0].Day, st.Days[len(st.Days)-1].Day
	if first.Year() == last.Year() {
		return first.Format("Jan 2") + " to " + last.Format("Jan 2, 2006")
	}
	return first.Format("Jan 2, 2006") + " to " + last.Format("Jan 2, 2006")
}

func chartTitle(d ChartDay) string {
	return d.Day.Format("Mon, Jan 2") + ": " + plural(d.Deleted.Value, "lead") + " deleted, " + thousands(d.Restored.Value) + " restored"
}

func kindLabel(kind string) string {
	switch kind {
	case "user":
		return "Person"
	case "key":
		return "API key"
	}
	return "Leadkeep"
}
