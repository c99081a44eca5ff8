package handlers

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/labstack/echo/v4"

	"pexops/live"
	"pexops/pexip"
	"pexops/pexip/sim"
	"pexops/static"
)

// queryLog records the query strings a console sends to the simulator.
type queryLog struct {
	mu      sync.Mutex
	queries []string
}

func (l *queryLog) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.queries = append(l.queries, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery)
		l.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

func (l *queryLog) reset() { l.mu.Lock(); l.queries = nil; l.mu.Unlock() }

func (l *queryLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.queries...)
}

// TestServicesFollowTheNodesSchema runs the services pages against a node whose conference
// schema, like a real one's, allows neither ordering nor filtering by id: the console must
// not send order_by=id or id__in, which such a node answers with 400.
func TestServicesFollowTheNodesSchema(t *testing.T) {
	s := sim.New(sim.Options{Seed: 7})
	log := &queryLog{}
	srv := httptest.NewServer(log.wrap(s))
	t.Cleanup(srv.Close)
	client, err := pexip.New(pexip.Config{URL: srv.URL, Username: sim.DefaultUser, Password: "pexops-sim"})
	if err != nil {
		t.Fatal(err)
	}
	assets, err := static.New()
	if err != nil {
		t.Fatal(err)
	}
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := New(Deps{Log: discard, Pexip: client, Poller: live.NewPoller(client, live.PollerConfig{}, discard, nil), Assets: assets}, Config{})

	schema, err := client.Schema(context.Background(), pexip.ResService)
	if err != nil {
		t.Fatal(err)
	}
	delete(schema.Filtering, "id")
	kept := schema.Ordering[:0]
	for _, f := range schema.Ordering {
		if f != "id" {
			kept = append(kept, f)
		}
	}
	schema.Ordering = kept
	h.schemas.schemas = map[string]*pexip.Schema{pexip.ResService: schema}

	e := echo.New()
	e.GET("/services", h.handleServicesList)
	e.POST("/services/delete", h.handleServicesBulkDelete)

	log.reset()
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/services?sort=-name&q=meet", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("list: status %d", rec.Code)
	}
	rec = httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/services/delete", strings.NewReader(url.Values{"id": {"1", "2", "999"}}.Encode()))
	req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
	e.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("bulk delete confirmation: status %d", rec.Code)
	}
	doc, err := goquery.NewDocumentFromReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	if n := doc.Find("[data-test=bulk-item]").Length(); n != 2 || doc.Find("[data-test=bulk-missing]").Length() != 1 {
		t.Errorf("confirmation lists %d services (want 2) and says %q about the missing one", n, doc.Find("[data-test=bulk-missing]").Text())
	}
	sent := strings.Join(log.all(), "\n")
	if !strings.Contains(sent, "order_by=-name") || !strings.Contains(sent, "/conference/2/") {
		t.Fatalf("the list and the per-id reads were not seen:\n%s", sent)
	}
	for _, q := range log.all() {
		if strings.Contains(q, "order_by=id") || strings.Contains(q, "id__in") {
			t.Errorf("sent %q, which this node's schema does not allow", q)
		}
	}
}

func TestSchemaIsReadOncePerResource(t *testing.T) {
	s, client := sim.StartTest(t, sim.Options{Seed: 7})
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := New(Deps{Log: discard, Pexip: client}, Config{})
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := h.schema(context.Background(), pexip.ResService); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if _, err := h.schema(context.Background(), pexip.ResService); err != nil {
		t.Fatal(err)
	}
	if n := s.Stats().Count("GET", "/api/admin/configuration/v1/conference/schema/"); n != 1 {
		t.Errorf("21 schema lookups read the schema %d times, want once", n)
	}
}
