package pexip

import (
	"testing"
	"time"
)

func TestTimeWireMatchesPythonIsoformat(t *testing.T) {
	tests := []struct {
		name string
		in   time.Time
		want string
	}{
		{"no fraction", time.Date(2015, 4, 10, 9, 39, 47, 0, time.UTC), "2015-04-10T09:39:47"},
		{"six digits kept", time.Date(2015, 4, 2, 9, 46, 6, 662230000, time.UTC), "2015-04-02T09:46:06.662230"},
		{"nanoseconds dropped", time.Date(2015, 4, 2, 9, 46, 6, 106482999, time.UTC), "2015-04-02T09:46:06.106482"},
		{"sub-microsecond is no fraction", time.Date(2015, 4, 2, 9, 46, 6, 999, time.UTC), "2015-04-02T09:46:06"},
		{"converted to UTC", time.Date(2015, 4, 2, 11, 46, 6, 0, time.FixedZone("CEST", 7200)), "2015-04-02T09:46:06"},
		{"unset", time.Time{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (Time{tt.in}).Wire(); got != tt.want {
				t.Errorf("Wire() = %q, want %q", got, tt.want)
			}
		})
	}
}
