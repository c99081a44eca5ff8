package handlers

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"pexops/auth"
)

// A change that reached Pexip but not the audit trail must not pass silently: the trail is the
// only record of who acted, so the next page tells the operator.
func TestChangeThatCouldNotBeAuditedIsShown(t *testing.T) {
	h, _, _ := simHandler(t, nil, 0)
	e := echo.New()
	e.POST("/services", h.handleServiceCreate)
	e.GET("/services/:id", h.handleServiceEdit)
	// An audit trail whose database has gone away (a full disk, a removed volume).
	store, err := auth.Open(context.Background(), auth.StoreConfig{Path: t.TempDir() + "/gone.db"})
	if err != nil {
		t.Fatal(err)
	}
	h.Audit = auth.NewAudit(store)
	store.Close()

	form := url.Values{"name": {"Audit Gap Room"}, "service_type": {"conference"}, "aliases": {"audit.gap@example.com"}}
	req := httptest.NewRequest(http.MethodPost, "/services", strings.NewReader(form.Encode()))
	req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	loc := rec.Header().Get(echo.HeaderLocation)
	if rec.Code != http.StatusSeeOther || !strings.Contains(loc, "audit_failed=1") {
		t.Fatalf("create: status %d, Location %q; want a redirect that carries audit_failed=1", rec.Code, loc)
	}

	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, loc, nil))
	if !strings.Contains(rec.Body.String(), "could not record it in the audit trail") {
		t.Errorf("the page after the change does not say the audit trail missed it")
	}
}
