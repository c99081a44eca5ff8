package handlers

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"pexops/live"
	"pexops/pexip/sim"
	"pexops/static"
)

// benchHandler is a Handler over a simulator of n services, with the services list routed
// on a bare Echo (no session: the list renders as it does for a signed-out request).
func benchHandler(b *testing.B, n int) (*echo.Echo, *sim.Sim) {
	b.Helper()
	s, client := sim.StartTest(b, sim.Options{Seed: 7, Services: n})
	assets, err := static.New()
	if err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := New(Deps{Log: log, Pexip: client, Poller: live.NewPoller(client, live.PollerConfig{}, log, nil), Assets: assets}, Config{})
	e := echo.New()
	e.GET("/services", h.handleServicesList)
	return e, s
}

// BenchmarkServicesListPage measures the server time of one services list page over a
// platform of 10,000 services, upstream round trips to the simulator on loopback included,
// and reports the upstream requests each page view makes.
//
//	go test ./handlers -run '^$' -bench BenchmarkServicesListPage -benchtime 200x
func BenchmarkServicesListPage(b *testing.B) {
	e, s := benchHandler(b, 10000)
	pages := []struct{ name, url string }{
		{"first", "/services"},
		{"deep", "/services?offset=9980&sort=-name"},
		{"type_filter", "/services?type=lecture&offset=400"},
		{"search_one_field", "/services?q=room&in=name"},
		{"search_every_field", "/services?q=room"},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			get(b, e, p.url) // warm the schema cache, as a running console has
			s.Stats().Reset()
			b.ResetTimer()
			for b.Loop() {
				get(b, e, p.url)
			}
			b.StopTimer()
			st := s.Stats()
			b.ReportMetric(float64(st.Total)/float64(b.N), "upstream/op")
			b.ReportMetric(float64(st.Count("GET", "/api/admin/configuration/v1/conference/{id}/"))/float64(b.N), "detail-reads/op")
		})
	}
}

func get(b *testing.B, e *echo.Echo, url string) {
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, url, nil))
	if rec.Code != http.StatusOK {
		b.Fatalf("GET %s: status %d: %.500s", url, rec.Code, rec.Body.String())
	}
}
