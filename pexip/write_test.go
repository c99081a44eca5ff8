package pexip_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"pexops/pexip"
)

func TestCreateReadsLocation(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		location func(base string) string
		wantID   string
		wantErr  error
	}{
		{"absolute Location", 201, func(b string) string { return b + "/api/admin/configuration/v1/conference/123/" }, "123", nil},
		{"relative Location", 201, func(string) string { return "/api/admin/configuration/v1/conference/124/" }, "124", nil},
		{"Location without trailing slash", 201, func(string) string { return "/api/admin/configuration/v1/conference/125" }, "125", nil},
		{"no Location", 201, func(string) string { return "" }, "", pexip.ErrNoLocation},
		{"Location of the collection", 201, func(string) string { return "/api/admin/configuration/v1/conference/" }, "", pexip.ErrNoLocation},
		{"validation error", 400, func(string) string { return "" }, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var base string
			node := newFakeNode(t, func(w http.ResponseWriter, r *http.Request) {
				if loc := tt.location(base); loc != "" {
					w.Header().Set("Location", loc)
				}
				if tt.status == 400 {
					writeJSON(w, 400, map[string]any{"conference": map[string]any{"name": []string{"Virtual Meeting Room with this Name already exists."}}})
					return
				}
				w.WriteHeader(tt.status) // empty body, as a node answers
			})
			base = node.URL
			c := newClient(t, node.URL)
			id, err := c.Create(context.Background(), pexip.ResService, map[string]any{"name": "Sales", "aliases": []map[string]string{{"alias": "sales"}}})
			if tt.status == 400 {
				apiErr, ok := errors.AsType[*pexip.APIError](err)
				if !ok || apiErr.FieldError("name") != "Virtual Meeting Room with this Name already exists." {
					t.Fatalf("err = %v, want an APIError with the name field error", err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if id != tt.wantID {
				t.Errorf("id = %q, want %q", id, tt.wantID)
			}
			req := node.requests()[0]
			if req.Method != "POST" || req.Path != "/api/admin/configuration/v1/conference/" || req.ContentType != "application/json" {
				t.Errorf("request = %s %s (%s)", req.Method, req.Path, req.ContentType)
			}
			if got, want := string(req.Body), `{"aliases":[{"alias":"sales"}],"name":"Sales"}`; got != want {
				t.Errorf("body = %s, want %s", got, want)
			}
		})
	}
}

func TestUpdateSendsEveryField(t *testing.T) {
	node := newFakeNode(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusAccepted) })
	c := newClient(t, node.URL)
	theme := pexip.Related{URI: "/api/admin/configuration/v1/ivr_theme/13/", ID: 13, Name: "Blue"}
	err := c.Update(context.Background(), pexip.ResService, "7", map[string]any{
		"allow_guests":      false,
		"pin":               "",
		"participant_limit": nil,
		"max_callrate_in":   0,
		"ivr_theme":         theme,
		"system_location":   pexip.Related{},
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	req := node.requests()[0]
	if req.Method != "PATCH" || req.Path != "/api/admin/configuration/v1/conference/7/" {
		t.Errorf("request = %s %s", req.Method, req.Path)
	}
	var got map[string]any
	if err := json.Unmarshal(req.Body, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"allow_guests": false, "pin": "", "participant_limit": nil, "max_callrate_in": float64(0),
		"ivr_theme": "/api/admin/configuration/v1/ivr_theme/13/", "system_location": nil,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("PATCH body (-want +got):\n%s", diff)
	}
}

func TestUpdateRefusesRelatedWithoutURI(t *testing.T) {
	node := newFakeNode(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusAccepted) })
	c := newClient(t, node.URL)
	// A nested object read without resource_uri must not be written back as null.
	err := c.Update(context.Background(), pexip.ResService, "7", map[string]any{"ivr_theme": pexip.Related{ID: 13}})
	if err == nil {
		t.Fatal("Update sent a related object that has no URI")
	}
	if node.count() != 0 {
		t.Errorf("requests = %d, want 0", node.count())
	}
}

func TestEmptySuccessBodies(t *testing.T) {
	tests := []struct {
		name   string
		status int
		call   func(*pexip.Client) error
	}{
		{"create 201", 201, func(c *pexip.Client) error {
			_, err := c.Create(context.Background(), pexip.ResAlias, map[string]any{"alias": "x"})
			return err
		}},
		{"update 202", 202, func(c *pexip.Client) error {
			return c.Update(context.Background(), pexip.ResAlias, "1", map[string]any{"alias": "y"})
		}},
		{"delete 204", 204, func(c *pexip.Client) error { return c.Delete(context.Background(), pexip.ResAlias, "1") }},
		{"bulk patch 202", 202, func(c *pexip.Client) error {
			return c.BulkPatch(context.Background(), pexip.ResAlias, []map[string]any{{"alias": "z"}}, nil)
		}},
		{"command 202", 202, func(c *pexip.Client) error { return c.LockConference(context.Background(), "c1") }},
		{"command 200", 200, func(c *pexip.Client) error { return c.DisconnectConference(context.Background(), "c1") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			node := newFakeNode(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Location", "/api/admin/configuration/v1/conference_alias/9/")
				w.WriteHeader(tt.status)
			})
			if err := tt.call(newClient(t, node.URL)); err != nil {
				t.Errorf("err = %v, want nil for an empty %d", err, tt.status)
			}
		})
	}
}

func TestInvalidIDsSendNothing(t *testing.T) {
	ids := []string{"", "   ", "/", "..", ".", "1/2", "1?x=2", "1#x", "%2e%2e", "a\\b"}
	calls := map[string]func(c *pexip.Client, id string) error{
		"delete": func(c *pexip.Client, id string) error { return c.Delete(context.Background(), pexip.ResService, id) },
		"update": func(c *pexip.Client, id string) error {
			return c.Update(context.Background(), pexip.ResService, id, map[string]any{"name": "x"})
		},
		"get": func(c *pexip.Client, id string) error {
			return c.GetObject(context.Background(), pexip.ResService, id, &pexip.Service{})
		},
		"mute": func(c *pexip.Client, id string) error { return c.MuteParticipant(context.Background(), id) },
		"disconnect participant": func(c *pexip.Client, id string) error {
			return c.DisconnectParticipant(context.Background(), id)
		},
		"disconnect conference": func(c *pexip.Client, id string) error {
			return c.DisconnectConference(context.Background(), id)
		},
		"media streams": func(c *pexip.Client, id string) error {
			_, err := c.MediaStreams(context.Background(), id)
			return err
		},
		"bulk delete": func(c *pexip.Client, id string) error {
			return c.BulkPatch(context.Background(), pexip.ResService, nil, []string{"1", id})
		},
	}
	node := newFakeNode(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	c := newClient(t, node.URL)
	for name, call := range calls {
		for _, id := range ids {
			t.Run(name+"/"+id, func(t *testing.T) {
				if err := call(c, id); !errors.Is(err, pexip.ErrInvalidID) {
					t.Errorf("err = %v, want ErrInvalidID", err)
				}
			})
		}
	}
	if n := node.count(); n != 0 {
		t.Errorf("the node got %d requests for invalid ids: %+v", n, node.requests())
	}
}

func TestBulkPatchBody(t *testing.T) {
	node := newFakeNode(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusAccepted) })
	c := newClient(t, node.URL)
	objects := []map[string]any{
		{"name": "new", "aliases": []map[string]string{{"alias": "new"}}},
		{"resource_uri": "/api/admin/configuration/v1/conference/3/", "allow_guests": false},
	}
	deleted := []string{"5", "/api/admin/configuration/v1/conference/6/"}
	if err := c.BulkPatch(context.Background(), pexip.ResService, objects, deleted); err != nil {
		t.Fatal(err)
	}
	req := node.requests()[0]
	if req.Method != "PATCH" || req.Path != "/api/admin/configuration/v1/conference/" {
		t.Errorf("request = %s %s", req.Method, req.Path)
	}
	var got map[string]any
	if err := json.Unmarshal(req.Body, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"objects": []any{
			map[string]any{"name": "new", "aliases": []any{map[string]any{"alias": "new"}}},
			map[string]any{"resource_uri": "/api/admin/configuration/v1/conference/3/", "allow_guests": false},
		},
		"deleted_objects": []any{"/api/admin/configuration/v1/conference/5/", "/api/admin/configuration/v1/conference/6/"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}

	// A URI of another resource in deleted is refused, and nothing is sent for an empty call.
	if err := c.BulkPatch(context.Background(), pexip.ResService, nil, []string{"/api/admin/configuration/v1/conference_alias/1/"}); !errors.Is(err, pexip.ErrInvalidID) {
		t.Errorf("foreign URI: err = %v, want ErrInvalidID", err)
	}
	if err := c.BulkPatch(context.Background(), pexip.ResService, nil, nil); err != nil {
		t.Errorf("empty bulk patch: %v", err)
	}
	if n := node.count(); n != 1 {
		t.Errorf("requests = %d, want 1", n)
	}
}

func TestWritesAreNeverRetried(t *testing.T) {
	writes := []struct {
		name string
		call func(*pexip.Client) error
	}{
		{"create", func(c *pexip.Client) error {
			_, err := c.Create(context.Background(), pexip.ResService, map[string]any{"name": "x"})
			return err
		}},
		{"update", func(c *pexip.Client) error {
			return c.Update(context.Background(), pexip.ResService, "1", map[string]any{"name": "x"})
		}},
		{"delete", func(c *pexip.Client) error { return c.Delete(context.Background(), pexip.ResService, "1") }},
		{"bulk patch", func(c *pexip.Client) error {
			return c.BulkPatch(context.Background(), pexip.ResService, []map[string]any{{"name": "x"}}, nil)
		}},
		{"dial", func(c *pexip.Client) error {
			_, err := c.Dial(context.Background(), pexip.DialRequest{ConferenceAlias: "meet", Destination: "sip:bob@example.com", SystemLocation: "London"})
			return err
		}},
		{"transfer", func(c *pexip.Client) error {
			return c.TransferParticipant(context.Background(), "p1", "other", "guest")
		}},
		{"disconnect", func(c *pexip.Client) error { return c.DisconnectParticipant(context.Background(), "p1") }},
		{"mute guests", func(c *pexip.Client) error { return c.MuteGuests(context.Background(), "c1") }},
	}
	for _, status := range []int{500, 502, 503, 504, 429} {
		for _, tt := range writes {
			t.Run(tt.name+"/"+http.StatusText(status), func(t *testing.T) {
				node := newFakeNode(t, func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Retry-After", "0")
					writeJSON(w, status, map[string]any{"error_message": "Sorry, this request could not be processed. Please try again later."})
				})
				err := tt.call(newClient(t, node.URL))
				apiErr, ok := errors.AsType[*pexip.APIError](err)
				if !ok || apiErr.Status != status {
					t.Errorf("err = %v, want an APIError with status %d", err, status)
				}
				if n := node.count(); n != 1 {
					t.Errorf("requests = %d, want exactly 1", n)
				}
			})
		}
	}
}
