package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
	"github.com/labstack/echo/v4"

	"pexops/auth"
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

// simHandler is a Handler over a fresh simulator served through wrap (nil: as it is), with
// an audit store of its own. retries is the client's Retries (-1: none).
func simHandler(t *testing.T, wrap func(http.Handler) http.Handler, retries int) (*Handler, *sim.Sim, *pexip.Client) {
	t.Helper()
	s := sim.New(sim.Options{Seed: 7})
	var next http.Handler = s
	if wrap != nil {
		next = wrap(s)
	}
	srv := httptest.NewServer(next)
	t.Cleanup(srv.Close)
	client, err := pexip.New(pexip.Config{URL: srv.URL, Username: sim.DefaultUser, Password: "pexops-sim", Retries: retries})
	if err != nil {
		t.Fatal(err)
	}
	store, err := auth.Open(context.Background(), auth.StoreConfig{Path: t.TempDir() + "/pexops.db"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	assets, err := static.New()
	if err != nil {
		t.Fatal(err)
	}
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := New(Deps{Log: discard, Pexip: client, Assets: assets, Audit: auth.NewAudit(store),
		Poller: live.NewPoller(client, live.PollerConfig{}, discard, nil)}, Config{})
	return h, s, client
}

// TestServicesFollowTheNodesSchema runs the services pages against a node whose conference
// schema, like a real one's, allows neither ordering nor filtering by id: the console must
// not send order_by=id or id__in, which such a node answers with 400.
func TestServicesFollowTheNodesSchema(t *testing.T) {
	log := &queryLog{}
	h, _, client := simHandler(t, log.wrap, 0)

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

// TestServicePagesSayWhenPexipIsDown checks that an outage is told, never a 500, and that the
// create form still opens with the built-in choices.
func TestServicePagesSayWhenPexipIsDown(t *testing.T) {
	h, s, _ := simHandler(t, nil, -1)
	e := echo.New()
	e.HTTPErrorHandler = h.handleError
	e.GET("/services", h.handleServicesList)
	e.GET("/services/new", h.handleServiceNew)
	e.GET("/routing", h.handleRoutingList)
	e.GET("/adps", h.handleADPList)
	s.Faults().SetOutage(true)

	tests := []struct {
		path   string
		status int
		sel    string
	}{
		{"/services", http.StatusBadGateway, "[data-test=upstream-error]"},
		{"/routing", http.StatusBadGateway, "[data-test=upstream-error]"},
		{"/adps", http.StatusBadGateway, "[data-test=upstream-error]"},
		{"/services/new", http.StatusOK, `#service_type option[value="lecture"]`},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.path, nil))
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d", rec.Code, tt.status)
			}
			doc, err := goquery.NewDocumentFromReader(rec.Body)
			if err != nil {
				t.Fatal(err)
			}
			if doc.Find(tt.sel).Length() == 0 {
				t.Errorf("no %s on the page", tt.sel)
			}
		})
	}
}

// bodyLog records the JSON bodies of the PATCHes a console sends.
type bodyLog struct {
	mu      sync.Mutex
	patches []map[string]any
}

func (l *bodyLog) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPatch {
			b, _ := io.ReadAll(r.Body)
			var m map[string]any
			_ = json.Unmarshal(b, &m)
			l.mu.Lock()
			l.patches = append(l.patches, m)
			l.mu.Unlock()
			r.Body = io.NopCloser(bytes.NewReader(b))
		}
		next.ServeHTTP(w, r)
	})
}

func TestServiceSaveSendsExactlyTheChangedFields(t *testing.T) {
	bodies := &bodyLog{}
	h, _, client := simHandler(t, bodies.wrap, 0)
	ctx := context.Background()
	e := echo.New()
	e.POST("/services/:id", h.handleServiceUpdate)

	id, err := client.Create(ctx, pexip.ResService, map[string]any{"name": "Exact Room", "allow_guests": true,
		"pin": "1234", "participant_limit": 25, "tag": "kept"})
	if err != nil {
		t.Fatal(err)
	}
	// The form as a browser posts it: every field, a ticked box as "false","true".
	form := url.Values{"name": {"Exact Room"}, "allow_guests": {"false"}, "pin": {""}, "participant_limit": {""},
		"tag": {"kept"}, "guests_can_present": {"false", "true"}, "service_type": {"conference"}}
	req := httptest.NewRequest(http.MethodPost, "/services/"+id, strings.NewReader(form.Encode()))
	req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("save: status %d: %.300s", rec.Code, rec.Body.String())
	}
	want := []map[string]any{{"allow_guests": false, "pin": "", "participant_limit": nil}}
	if diff := cmp.Diff(want, bodies.patches); diff != "" {
		t.Errorf("PATCH bodies (-want +got):\n%s", diff)
	}
	entries, _, err := h.Audit.Query(ctx, auth.Filter{})
	if err != nil || len(entries) != 1 {
		t.Fatalf("audit: %v entries, error %v", len(entries), err)
	}
	if diff := cmp.Diff([]string{"allow_guests", "participant_limit", "pin"}, entries[0].Fields); diff != "" {
		t.Errorf("audited fields (-want +got):\n%s", diff)
	}
}
