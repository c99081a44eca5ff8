package sim

import (
	"strings"
	"sync"
)

// StatKey identifies a group of requests: method, normalised path and answer status.
type StatKey struct {
	Method  string
	Pattern string // e.g. "/api/admin/status/v1/participant/{id}/media_stream/"
	Status  int
}

// Stats is a snapshot of what the simulator was asked: the console's tests use it to prove
// the console is gentle with a Management Node.
type Stats struct {
	Requests    map[StatKey]int
	Total       int
	InFlight    int
	MaxInFlight int

	rec *statsRecorder
}

// Count sums the requests with method and pattern over every status ("" matches any method).
func (st Stats) Count(method, pattern string) int {
	n := 0
	for k, v := range st.Requests {
		if (method == "" || k.Method == method) && k.Pattern == pattern {
			n += v
		}
	}
	return n
}

// Reset clears the simulator's counters (not this snapshot).
func (st Stats) Reset() {
	if st.rec != nil {
		st.rec.reset()
	}
}

type statsRecorder struct {
	mu       sync.Mutex
	counts   map[StatKey]int
	total    int
	inFlight int
	max      int
}

func newStatsRecorder() *statsRecorder { return &statsRecorder{counts: map[StatKey]int{}} }

// begin counts a request in flight; the returned func records its outcome.
func (s *statsRecorder) begin() func(method, pattern string, status int) {
	s.mu.Lock()
	s.inFlight++
	s.max = max(s.max, s.inFlight)
	s.mu.Unlock()
	return func(method, pattern string, status int) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.inFlight--
		s.total++
		s.counts[StatKey{Method: method, Pattern: pattern, Status: status}]++
	}
}

func (s *statsRecorder) snapshot() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := Stats{Requests: make(map[StatKey]int, len(s.counts)), Total: s.total,
		InFlight: s.inFlight, MaxInFlight: s.max, rec: s}
	for k, v := range s.counts {
		out.Requests[k] = v
	}
	return out
}

func (s *statsRecorder) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts, s.total, s.max = map[StatKey]int{}, 0, s.inFlight
}

// patternOf normalises a path: the object id after a resource becomes {id}, so that
// "/api/admin/status/v1/participant/<uuid>/media_stream/" counts under one pattern.
func patternOf(path string) string {
	rest, ok := strings.CutPrefix(path, "/api/admin/")
	if !ok {
		return path
	}
	segs := strings.Split(rest, "/")
	// configuration|status|history / v1 / resource / id / sub
	if len(segs) > 3 && segs[0] != "command" && segs[3] != "" && segs[3] != "schema" {
		segs[3] = "{id}"
	}
	return "/api/admin/" + strings.Join(segs, "/")
}
