package handlers

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"pexops/pexip"
)

func TestCommandFailureTellsRefusedFromUncertain(t *testing.T) {
	type result struct {
		Status    int
		Text      string
		Uncertain bool
	}
	tests := []struct {
		name string
		err  error
		want result
	}{
		{"non-success status with a message",
			fmt.Errorf("mute participant: %w", &pexip.CommandError{Command: "participant/mute", Status: "failed", Message: "Participant is a gateway call"}),
			result{http.StatusBadGateway, "Pexip refused: Participant is a gateway call", false}},
		{"non-success status without anything",
			&pexip.CommandError{Command: "participant/mute"},
			result{http.StatusBadGateway, "Pexip did not report success, and gave no reason.", false}},
		{"2xx with only a canned error", &pexip.CommandError{Command: "participant/mute", Message: "Sorry, this request could not be processed."},
			result{http.StatusBadGateway, "Pexip did not report success: Sorry, this request could not be processed.", false}},
		{"non-success status without a message",
			&pexip.CommandError{Command: "participant/mute", Status: "failed"},
			result{http.StatusBadGateway, "Pexip refused: status failed", false}},
		{"timeout",
			fmt.Errorf("mute participant: %w", context.DeadlineExceeded),
			result{http.StatusGatewayTimeout, "Pexip did not answer in time; the command may or may not have taken effect. pexops did not repeat it.", true}},
		{"503 after the fact",
			fmt.Errorf("mute participant: %w", &pexip.APIError{Status: http.StatusServiceUnavailable}),
			result{http.StatusBadGateway, "Pexip answered with an error (HTTP 503). The command may have taken effect; pexops did not repeat it.", true}},
		{"field error",
			&pexip.APIError{Status: http.StatusBadRequest, Fields: map[string][]string{"role": {"Select a valid choice."}}},
			result{http.StatusUnprocessableEntity, "Pexip refused: Select a valid choice.", false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, text := commandFailure(tt.err)
			got := result{status, text, uncertain(tt.err)}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("commandFailure (-want +got):\n%s", diff)
			}
		})
	}
}
