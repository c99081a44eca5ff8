// Package views holds the console's templ components: the layout, one file per page with its
// fragments beside it, and the typed props each page takes.
//
// Views do no I/O and must not import pexip, live, auth or handlers: handlers turn upstream
// data into the plain view models below. Everything that came from Pexip is rendered through
// templ's escaping; nothing here uses templ.Raw on remote data.
package views

import (
	"encoding/json"
	"strconv"
	"time"
)

// Chrome is what the layout needs on every page.
type Chrome struct {
	Title     string
	User      string
	Role      string
	CSRF      string
	Active    string // navigation key of the current page: "live", "services", ...
	Asset     func(name string) string
	ServerNow time.Time
	Demo      bool
	Flash     *Flash
	// CanConfigure and CanModerate decide which actions are rendered; the server checks
	// roles again on every request.
	CanConfigure bool
	CanModerate  bool
}

// Flash is a one-off message shown at the top of a page.
type Flash struct {
	Kind string // "ok" or "error"
	Text string
}

func (c Chrome) asset(name string) string {
	if c.Asset == nil {
		return "/static/missing/" + name
	}
	return c.Asset(name)
}

// csrfHeaders is the hx-headers value that makes every htmx request carry the CSRF token.
func csrfHeaders(token string) string {
	b, _ := json.Marshal(map[string]string{"X-CSRF-Token": token})
	return string(b)
}

// millis formats a time as Unix milliseconds for data-since/data-age, "0" when unset.
func millis(t time.Time) string {
	if t.IsZero() {
		return "0"
	}
	return strconv.FormatInt(t.UnixMilli(), 10)
}

// since renders a duration for the first paint; the browser keeps it current from data-since.
func since(now, t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	d := now.Sub(t)
	if d < 0 {
		d = 0
	}
	s := int(d.Seconds())
	switch {
	case s < 60:
		return strconv.Itoa(s) + "s"
	case s < 3600:
		return strconv.Itoa(s/60) + "m " + pad2(s%60) + "s"
	default:
		return strconv.Itoa(s/3600) + "h " + pad2(s/60%60) + "m"
	}
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// dash shows "–" for an empty value so a blank cell is never mistaken for a rendering fault.
func dash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// stamp formats a time for tables in UTC, the Management Node's own zone.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	return t.UTC().Format("2006-01-02 15:04:05") + " UTC"
}

func itoa(n int) string { return strconv.Itoa(n) }
