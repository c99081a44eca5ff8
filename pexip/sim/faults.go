package sim

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Faults injects the failures a console must survive: latency, random 500s, rate limiting
// with 429, a full outage (503) and failures answered after a write took effect. All
// methods are safe for concurrent use; the zero configuration injects nothing.
type Faults struct {
	mu        sync.Mutex
	rng       *rand.Rand
	latency   time.Duration
	errorRate float64
	outage    bool
	bucket    *tokenBucket
	afterW    []*writeFault
	now       func() time.Time
}

type writeFault struct {
	method, prefix string
	status, times  int
}

func newFaults(seed int64) *Faults {
	return &Faults{rng: rand.New(rand.NewPCG(uint64(seed), 0xfa17)), now: time.Now}
}

// SetLatency delays every request by d before it is handled.
func (f *Faults) SetLatency(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.latency = d
}

// SetErrorRate answers the given fraction (0..1) of requests with a 500 and Tastypie's
// canned {"error_message": ...} body, before they are handled.
func (f *Faults) SetErrorRate(rate float64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errorRate = rate
}

// SetRateLimit allows n requests per period (a token bucket holding up to n); above it the
// answer is 429 with Retry-After in whole seconds. n <= 0 turns the limit off.
func (f *Faults) SetRateLimit(n int, per time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if n <= 0 || per <= 0 {
		f.bucket = nil
		return
	}
	f.bucket = &tokenBucket{capacity: float64(n), tokens: float64(n),
		rate: float64(n) / per.Seconds(), last: f.now()}
}

// SetOutage makes every request answer 503 while on is true.
func (f *Faults) SetOutage(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.outage = on
}

// FailAfterWrite makes the next times requests with method whose path starts with
// pathPrefix take effect and then answer status instead of their real answer (the field
// report of a create that failed with 500 but had created the object).
func (f *Faults) FailAfterWrite(method, pathPrefix string, status, times int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.afterW = append(f.afterW, &writeFault{method: strings.ToUpper(method), prefix: pathPrefix,
		status: status, times: times})
}

// Reset turns every fault off.
func (f *Faults) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.latency, f.errorRate, f.outage, f.bucket, f.afterW = 0, 0, false, nil, nil
}

// before applies the faults that answer instead of the API; it reports whether it answered.
func (f *Faults) before(ctx context.Context, w http.ResponseWriter) bool {
	f.mu.Lock()
	latency, outage := f.latency, f.outage
	var retry time.Duration
	limited := f.bucket != nil && !f.bucket.take(f.now(), &retry)
	failed := f.errorRate > 0 && f.rng.Float64() < f.errorRate
	f.mu.Unlock()

	switch {
	case outage:
		w.WriteHeader(http.StatusServiceUnavailable)
		return true
	case limited:
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(retry.Seconds()))))
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "Too many requests."})
		return true
	}
	if latency > 0 {
		t := time.NewTimer(latency)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return true
		case <-t.C:
		}
	}
	if failed {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error_message": cannedError})
	}
	return failed
}

// wrapWrite runs a write; when a FailAfterWrite fault matches and the write succeeded, the
// real answer is dropped and the fault's status sent instead.
func (f *Faults) wrapWrite(w http.ResponseWriter, r *http.Request, h http.HandlerFunc) {
	f.mu.Lock()
	var hit *writeFault
	for _, wf := range f.afterW {
		if wf.times > 0 && wf.method == r.Method && strings.HasPrefix(r.URL.Path, wf.prefix) {
			hit = wf
			break
		}
	}
	f.mu.Unlock()
	if hit == nil {
		h(w, r)
		return
	}
	buf := &bufferedWriter{header: http.Header{}, status: http.StatusOK}
	h(buf, r)
	if buf.status >= 300 {
		buf.flush(w)
		return
	}
	f.mu.Lock()
	fire := hit.times > 0
	if fire {
		hit.times--
	}
	f.mu.Unlock()
	if !fire {
		buf.flush(w)
		return
	}
	writeJSON(w, hit.status, map[string]string{"error_message": cannedError})
}

// bufferedWriter holds a response until the fault decides whether it is sent.
type bufferedWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header         { return b.header }
func (b *bufferedWriter) Write(p []byte) (int, error) { return b.body.Write(p) }
func (b *bufferedWriter) WriteHeader(code int)        { b.status = code }

func (b *bufferedWriter) flush(w http.ResponseWriter) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	w.WriteHeader(b.status)
	_, _ = w.Write(b.body.Bytes())
}

// tokenBucket refills at rate tokens a second up to capacity.
type tokenBucket struct {
	capacity, tokens, rate float64
	last                   time.Time
}

func (b *tokenBucket) take(now time.Time, retry *time.Duration) bool {
	b.tokens = math.Min(b.capacity, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true
	}
	*retry = time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
	return false
}
