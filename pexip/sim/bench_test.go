package sim

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"pexops/pexip/sim/platform"
)

// benchList measures list requests per second over 10,000 seeded services, through the
// handler without a network (go test -bench BenchmarkList -benchtime 2s ./pexip/sim/).
func benchList(b *testing.B, query string) {
	s := New(Options{Services: 10000, Clock: platform.NewManualClock(time.Unix(0, 0))})
	req := httptest.NewRequest("GET", "/api/admin/configuration/v1/conference/?"+query, nil)
	req.SetBasicAuth(DefaultUser, DefaultPassword)
	warm := httptest.NewRecorder()
	s.ServeHTTP(warm, req)
	if warm.Code != http.StatusOK {
		b.Fatalf("status %d", warm.Code)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

func BenchmarkListPage20(b *testing.B)   { benchList(b, "limit=20&offset=5000") }
func BenchmarkListPage1000(b *testing.B) { benchList(b, "limit=1000&offset=5000") }

// BenchmarkListFiltered filters and orders all 10,000 services for one page.
func BenchmarkListFiltered(b *testing.B) {
	benchList(b, "name__icontains=a&order_by=-name&limit=20")
}

// BenchmarkListAfterWrite includes the cost of rebuilding views after every write.
func BenchmarkListAfterWrite(b *testing.B) {
	s := New(Options{Services: 10000, Clock: platform.NewManualClock(time.Unix(0, 0))})
	get := httptest.NewRequest("GET", "/api/admin/configuration/v1/conference/?limit=20", nil)
	get.SetBasicAuth(DefaultUser, DefaultPassword)
	b.ReportAllocs()
	for b.Loop() {
		x := s.store.begin()
		x.changed = true
		x.end(nil)
		s.ServeHTTP(httptest.NewRecorder(), get)
	}
}
