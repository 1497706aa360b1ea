package demo

import (
	"sort"
	"time"
)

// calendar is a US school year: from the Monday on or after 12 August to
// the Friday in the first week of June, without weekends and the usual
// holidays, split into four quarters of (nearly) equal numbers of school
// days.
type calendar struct {
	year       int // the calendar year the school year starts in
	start, end time.Time
	days       []time.Time // the school days, at midnight in the location of now
	// quarters[q] are the indices in days of quarter q's first and last day.
	quarters [4][2]int
}

// schoolYearOf returns the school year a demo dated now shows. From the
// first day of school to the last one, that is the year in progress. In
// the summer between two years it is the year that has just ended, shown
// complete: the year that starts next would have no evidence at all, and a
// demo with nothing in it shows nothing.
func schoolYearOf(now time.Time) calendar {
	y := now.Year()
	if now.Before(firstDay(y, now.Location())) {
		y--
	}
	return newCalendar(y, now.Location())
}

func firstDay(year int, loc *time.Location) time.Time {
	d := time.Date(year, time.August, 12, 0, 0, 0, 0, loc)
	for d.Weekday() != time.Monday {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

func lastDay(year int, loc *time.Location) time.Time {
	d := time.Date(year+1, time.June, 1, 0, 0, 0, 0, loc)
	for d.Weekday() != time.Friday {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// nthWeekday returns the n-th given weekday of a month (n = -1: the last).
func nthWeekday(year int, month time.Month, wd time.Weekday, n int, loc *time.Location) time.Time {
	if n < 0 {
		d := time.Date(year, month+1, 0, 0, 0, 0, 0, loc)
		for d.Weekday() != wd {
			d = d.AddDate(0, 0, -1)
		}
		return d
	}
	d := time.Date(year, month, 1, 0, 0, 0, 0, loc)
	for d.Weekday() != wd {
		d = d.AddDate(0, 0, 1)
	}
	return d.AddDate(0, 0, 7*(n-1))
}

type civil struct {
	y int
	m time.Month
	d int
}

func civilOf(t time.Time) civil { y, m, d := t.Date(); return civil{y, m, d} }

func newCalendar(year int, loc *time.Location) calendar {
	c := calendar{year: year, start: firstDay(year, loc), end: lastDay(year, loc)}
	off := map[civil]bool{}
	span := func(from time.Time, days int) {
		for i := 0; i < days; i++ {
			off[civilOf(from.AddDate(0, 0, i))] = true
		}
	}
	span(nthWeekday(year, time.September, time.Monday, 1, loc), 1)                    // Labor Day
	span(nthWeekday(year, time.November, time.Thursday, 4, loc).AddDate(0, 0, -1), 3) // Thanksgiving
	span(time.Date(year, time.December, 21, 0, 0, 0, 0, loc), 12)                     // winter break to 1 January
	span(nthWeekday(year+1, time.January, time.Monday, 3, loc), 1)                    // Martin Luther King Jr. Day
	span(nthWeekday(year+1, time.February, time.Monday, 3, loc), 1)                   // Presidents' Day
	span(nthWeekday(year+1, time.March, time.Monday, -1, loc), 5)                     // spring break
	span(nthWeekday(year+1, time.May, time.Monday, -1, loc), 1)                       // Memorial Day
	for d := c.start; !d.After(c.end); d = d.AddDate(0, 0, 1) {
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday || off[civilOf(d)] {
			continue
		}
		c.days = append(c.days, d)
	}
	n := len(c.days)
	for q := 0; q < 4; q++ {
		c.quarters[q] = [2]int{q * n / 4, (q+1)*n/4 - 1}
	}
	return c
}

// quarterOf returns the quarter (0-3) of school day di.
func (c calendar) quarterOf(di int) int {
	for q := 3; q > 0; q-- {
		if di >= c.quarters[q][0] {
			return q
		}
	}
	return 0
}

// lastDayBy returns the index of the last school day on or before t's
// date, or -1 when t is before the first day.
func (c calendar) lastDayBy(t time.Time) int {
	y, m, d := t.Date()
	limit := time.Date(y, m, d, 0, 0, 0, 0, c.start.Location())
	return sort.Search(len(c.days), func(i int) bool { return c.days[i].After(limit) }) - 1
}

// dayIndex returns the index of the school day on t's date, or -1.
func (c calendar) dayIndex(t time.Time) int {
	i := c.lastDayBy(t)
	if i >= 0 && civilOf(c.days[i]) == civilOf(t) {
		return i
	}
	return -1
}
