package pexip

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Management Nodes write datetimes as Python's isoformat does: naive UTC, and six digits of
// microseconds only when they are not zero ("…:05.662230", never "…:05.66223").
const (
	wireLayout         = "2006-01-02T15:04:05"
	wireLayoutFraction = "2006-01-02T15:04:05.000000"
)

// readLayouts are every form a datetime has been seen in, most common first.
var readLayouts = []string{
	"2006-01-02T15:04:05.999999999",
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

// Time is a Pexip datetime. The API writes naive UTC timestamps with or without a fraction,
// and sometimes "" or null for a time that is not set (a running media stream's end_time).
// The zero Time means "not set".
//
// NOTE: a value that cannot be read decodes as the zero Time instead of failing, so that one
// odd timestamp degrades one cell and never a whole list or a poll.
type Time struct {
	time.Time
}

// ParseTime reads a datetime in any form the API uses; ok is false for "" and for values it
// cannot read.
func ParseTime(s string) (t Time, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" || s == "None" || s == "null" {
		return Time{}, false
	}
	for _, layout := range readLayouts {
		if v, err := time.Parse(layout, s); err == nil {
			return Time{v.UTC()}, true
		}
	}
	return Time{}, false
}

// NewTime returns t as a Pexip Time in UTC.
func NewTime(t time.Time) Time { return Time{t.UTC()} }

// IsSet reports whether the time carries a value.
func (t Time) IsSet() bool { return !t.Time.IsZero() }

// Wire formats t as a Management Node does: naive UTC, microseconds when not zero, "" if unset.
func (t Time) Wire() string {
	if !t.IsSet() {
		return ""
	}
	u := t.UTC().Truncate(time.Microsecond)
	if u.Nanosecond() == 0 {
		return u.Format(wireLayout)
	}
	return u.Format(wireLayoutFraction)
}

// UnmarshalJSON accepts a string in any known layout, "", null, or a number of Unix seconds.
func (t *Time) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || bytes.Equal(b, []byte("null")) {
		*t = Time{}
		return nil
	}
	if b[0] != '"' {
		if secs, err := strconv.ParseFloat(string(b), 64); err == nil {
			*t = Time{time.Unix(0, int64(secs*1e9)).UTC()}
			return nil
		}
		*t = Time{}
		return nil
	}
	s, ok := jsonString(b)
	if !ok {
		*t = Time{}
		return nil
	}
	*t, _ = ParseTime(s)
	return nil
}

// MarshalJSON writes the wire form, or null when unset.
func (t Time) MarshalJSON() ([]byte, error) {
	if !t.IsSet() {
		return []byte("null"), nil
	}
	return json.Marshal(t.Wire())
}
