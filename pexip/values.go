package pexip

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// Quality is a participant's perceived call quality, normalised from the v18 form ("good") and
// the current form ("1_good") alike.
type Quality int

// The call qualities in the order of the API's numeric codes.
const (
	QualityUnknown Quality = iota
	QualityGood
	QualityOK
	QualityBad
	QualityTerrible
)

var qualityNames = [...]string{"unknown", "good", "ok", "bad", "terrible"}

// String returns the v18 wire name: unknown, good, ok, bad or terrible.
func (q Quality) String() string {
	if q < 0 || int(q) >= len(qualityNames) {
		return "unknown"
	}
	return qualityNames[q]
}

// ParseQuality reads "good", "1_good", "1" and the like; anything else is QualityUnknown.
func ParseQuality(s string) Quality {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexByte(s, '_'); i > 0 {
		s = s[i+1:]
	}
	for i, name := range qualityNames {
		if s == name || s == strconv.Itoa(i) {
			return Quality(i)
		}
	}
	return QualityUnknown
}

// UnmarshalJSON accepts a string in either form or a bare number; never fails.
func (q *Quality) UnmarshalJSON(b []byte) error {
	s, ok := jsonString(b)
	if !ok {
		s = string(bytes.TrimSpace(b))
	}
	*q = ParseQuality(s)
	return nil
}

// jsonString returns the value of a JSON string literal; ok is false for anything else. A
// literal without escapes is read without the reflection json.Unmarshal costs, which matters
// when a poll decodes thousands of participants.
func jsonString(b []byte) (string, bool) {
	b = bytes.TrimSpace(b)
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return "", false
	}
	if inner := b[1 : len(b)-1]; bytes.IndexByte(inner, '\\') < 0 && bytes.IndexByte(inner, '"') < 0 {
		return string(inner), true
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return "", false
	}
	return s, true
}

// MarshalJSON writes the v18 name.
func (q Quality) MarshalJSON() ([]byte, error) { return json.Marshal(q.String()) }

// IntList is a list of integers that v18 nodes send as a string holding a list
// ("[0, 7, 3, 1, 2]") and newer code may send as a real JSON array. Unreadable input gives nil.
type IntList []int

// UnmarshalJSON accepts a JSON array, a string holding one, "", "[]" or null.
func (l *IntList) UnmarshalJSON(b []byte) error {
	*l = nil
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		s, ok := jsonString(b)
		if !ok {
			return nil
		}
		b = []byte(s)
	}
	if ints, ok := parseIntList(b); ok {
		*l = ints
		return nil
	}
	var ints []int
	if err := json.Unmarshal(b, &ints); err == nil {
		*l = ints
	}
	return nil
}

// parseIntList reads "[0, 7, 3]" quickly; ok is false for anything it does not expect, which
// then goes to json.Unmarshal.
func parseIntList(b []byte) ([]int, bool) {
	b = bytes.TrimSpace(b)
	if len(b) < 2 || b[0] != '[' || b[len(b)-1] != ']' {
		return nil, false
	}
	inner := bytes.TrimSpace(b[1 : len(b)-1])
	if len(inner) == 0 {
		return []int{}, true
	}
	ints := make([]int, 0, bytes.Count(inner, []byte(","))+1)
	for part := range bytes.SplitSeq(inner, []byte(",")) {
		part = bytes.TrimSpace(part)
		if len(part) == 0 || len(part) > 18 {
			return nil, false
		}
		n, neg := 0, part[0] == '-'
		if neg {
			part = part[1:]
		}
		for _, c := range part {
			if c < '0' || c > '9' {
				return nil, false
			}
			n = n*10 + int(c-'0')
		}
		if neg {
			n = -n
		}
		ints = append(ints, n)
	}
	return ints, true
}

// Wire formats the list the way a v18 node does: "[0, 7, 3, 1, 2]".
func (l IntList) Wire() string {
	parts := make([]string, len(l))
	for i, v := range l {
		parts[i] = strconv.Itoa(v)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// Int is an integer that may arrive as a number, a numeric string, "" or null (all seen from
// Pexip or sent by its examples). Unreadable input gives 0.
type Int int

// UnmarshalJSON accepts a number, a numeric string, "" or null.
func (n *Int) UnmarshalJSON(b []byte) error {
	*n = 0
	b = bytes.Trim(bytes.TrimSpace(b), `"`)
	if f, err := strconv.ParseFloat(string(b), 64); err == nil {
		*n = Int(f)
	}
	return nil
}

// Float is a number that may arrive as a number, a numeric string, "" or null.
type Float float64

// UnmarshalJSON accepts a number, a numeric string, "" or null.
func (f *Float) UnmarshalJSON(b []byte) error {
	*f = 0
	b = bytes.Trim(bytes.TrimSpace(b), `"`)
	if v, err := strconv.ParseFloat(string(b), 64); err == nil {
		*f = Float(v)
	}
	return nil
}

// Related is a related field that the API writes either as a resource URI string or as a
// nested object (ivr_theme on a current node), or null.
type Related struct {
	URI  string
	ID   int
	Name string
}

// IsSet reports whether the relation points anywhere.
func (r Related) IsSet() bool { return r.URI != "" || r.ID != 0 }

// UnmarshalJSON accepts a URI string, a nested object with id/resource_uri/name, or null.
func (r *Related) UnmarshalJSON(b []byte) error {
	*r = Related{}
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || bytes.Equal(b, []byte("null")):
		return nil
	case b[0] == '"':
		var s string
		if json.Unmarshal(b, &s) == nil && s != "None" {
			r.URI = s
			r.ID, _ = strconv.Atoi(LastSegment(s))
		}
		return nil
	case b[0] == '{':
		var obj struct {
			ID          Int    `json:"id"`
			ResourceURI string `json:"resource_uri"`
			Name        string `json:"name"`
		}
		if json.Unmarshal(b, &obj) == nil {
			r.ID, r.URI, r.Name = int(obj.ID), obj.ResourceURI, obj.Name
		}
	}
	return nil
}

// MarshalJSON writes the URI (the form every write takes), or null.
func (r Related) MarshalJSON() ([]byte, error) {
	if r.URI == "" {
		return []byte("null"), nil
	}
	return json.Marshal(r.URI)
}

// LastSegment returns the last non-empty path segment of a URI or path, ignoring any query:
// the id in "https://mgr/api/admin/configuration/v1/conference/123/".
func LastSegment(uri string) string {
	if i := strings.IndexAny(uri, "?#"); i >= 0 {
		uri = uri[:i]
	}
	uri = strings.TrimRight(uri, "/")
	if i := strings.LastIndexByte(uri, '/'); i >= 0 {
		return uri[i+1:]
	}
	return uri
}
