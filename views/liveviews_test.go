package views

import (
	"testing"
	"time"
)

func TestSinceIsElapsedTimeWhateverTheZone(t *testing.T) {
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	far := time.FixedZone("UTC+13:45", 13*3600+45*60)
	tests := []struct {
		name string
		t    time.Time
		want string
	}{
		{"unset", time.Time{}, "–"},
		{"seconds", now.Add(-42 * time.Second), "42s"},
		{"minutes", now.Add(-(12*time.Minute + 3*time.Second)), "12m 03s"},
		{"hours", now.Add(-(2*time.Hour + 5*time.Minute)), "2h 05m"},
		{"another zone, same instant", now.Add(-90 * time.Second).In(far), "1m 30s"},
		{"clock skew never goes negative", now.Add(time.Minute), "0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := since(now, tt.t); got != tt.want {
				t.Errorf("since = %q, want %q", got, tt.want)
			}
		})
	}
	if a, b := millis(now), millis(now.In(far)); a != b {
		t.Errorf("millis depends on the zone: %s vs %s", a, b)
	}
}

func TestWSPathEscapesTheID(t *testing.T) {
	if got, want := wsPath("conference", "a&topic=board"), "/ws?id=a%26topic%3Dboard&topic=conference"; got != want {
		t.Errorf("wsPath = %q, want %q", got, want)
	}
}

func TestDomIDIsSafeInSelectors(t *testing.T) {
	tests := []struct{ id, want string }{
		{"3f2a-9c1b", "p-3f2a-9c1b"},
		{`x"]<b>`, "p-x78225d3c623e"},
		{"", "p-x"},
	}
	for _, tt := range tests {
		if got := DomID("p", tt.id); got != tt.want {
			t.Errorf("DomID(%q) = %q, want %q", tt.id, got, tt.want)
		}
	}
}

func TestChartPointsStayInTheBox(t *testing.T) {
	if got := qualityPoints([]int{1, 4}); got != "0.0,2.0 300.0,58.0" {
		t.Errorf("quality points %q", got)
	}
	if got := lossPoints([]float64{0, 20}); got != "0.0,58.0 300.0,2.0" {
		t.Errorf("loss points %q", got)
	}
	if got := lossPoints(nil); got != "" {
		t.Errorf("no samples drew %q", got)
	}
}
