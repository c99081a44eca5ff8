package handlers

import (
	"context"
	"crypto/x509"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"pexops/auth"
	"pexops/pexip"
)

// Every failure an operator can cause or meet has its own status and words; only a fault of
// pexops itself is a 500.
func TestClassifyNeverBlamesPexopsForPexip(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		text   string
	}{
		{"csrf", &echo.HTTPError{Code: 403, Internal: &auth.CSRFError{Reason: "missing token"}}, 403, "expired"},
		{"operator error", errUser(400, "That is not a valid service id."), 400, "not a valid service id"},
		{"unknown route", echo.ErrNotFound, 404, "no such page"},
		{"role", &echo.HTTPError{Code: 403, Internal: auth.ErrForbidden}, 403, "role"},
		{"too large", echo.ErrStatusRequestEntityTooLarge, 413, "larger than"},
		{"gone upstream", fmt.Errorf("get: %w", &pexip.APIError{Status: 404}), 404, "no such object"},
		{"credentials", fmt.Errorf("list: %w", &pexip.APIError{Status: 401}), 502, "credentials"},
		{"rate limited", &pexip.APIError{Status: 429}, 503, "slow down"},
		{"pexip 500", &pexip.APIError{Status: 500}, 502, "HTTP 500"},
		{"pexip field error", &pexip.APIError{Status: 400, Fields: map[string][]string{"conference": {"Could not find the provided object."}}},
			422, "conference: Could not find the provided object."},
		{"pexip non-field error", &pexip.APIError{Status: 400, Fields: map[string][]string{"__all__": {"Host PIN required."}}}, 422, "Host PIN required."},
		{"pexip message", &pexip.APIError{Status: 405, Message: "Method not allowed"}, 422, "Method not allowed"},
		{"timeout", fmt.Errorf("read: %w", context.DeadlineExceeded), 504, "did not answer"},
		{"certificate", fmt.Errorf("get: %w", x509.UnknownAuthorityError{}), 502, "does not trust"},
		{"our bug", fmt.Errorf("nil map"), 500, "internal error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, msg := classify(tt.err)
			if status != tt.status || !strings.Contains(msg, tt.text) {
				t.Errorf("classify = %d %q, want %d and a message with %q", status, msg, tt.status, tt.text)
			}
			if status == http.StatusInternalServerError && tt.name != "our bug" {
				t.Errorf("an upstream or operator failure classified as a 500")
			}
		})
	}
}
