package pexip_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"pexops/pexip"
)

func TestSchema(t *testing.T) {
	node := newFakeNode(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{
		"allowed_detail_http_methods": ["get", "post", "put", "delete", "patch"],
		"allowed_list_http_methods": ["GET", "post"],
		"default_format": "application/json", "default_limit": 20,
		"fields": {
			"id": {"type": "integer", "nullable": false, "blank": true, "default": "", "readonly": false, "unique": true, "help_text": "Primary key."},
			"service_type": {"type": "string", "nullable": false, "blank": false, "default": "conference", "readonly": false, "unique": false,
				"valid_choices": ["conference", "lecture"], "help_text": "Type."},
			"ivr_theme": {"type": "related", "related_type": "to_one", "nullable": true, "blank": false, "default": null, "readonly": false, "unique": false, "help_text": ""},
			"resource_uri": {"type": "string", "nullable": false, "blank": false, "readonly": true, "unique": false, "help_text": "URI."}
		},
		"filtering": {"name": 1, "aliases": 2, "tag": ["exact", "icontains"]},
		"ordering": ["name", "creation_time"]}`))
	})
	c := newClient(t, node.URL)
	got, err := c.Schema(context.Background(), pexip.ResService)
	if err != nil {
		t.Fatal(err)
	}
	want := &pexip.Schema{
		AllowedListMethods:   []string{"get", "post"},
		AllowedDetailMethods: []string{"get", "post", "put", "delete", "patch"},
		DefaultLimit:         20,
		Fields: map[string]pexip.SchemaField{
			"id":           {Type: "integer", Blank: true, Unique: true, Default: "", HelpText: "Primary key."},
			"service_type": {Type: "string", Default: "conference", ValidChoices: []any{"conference", "lecture"}, HelpText: "Type."},
			"ivr_theme":    {Type: "related", RelatedType: "to_one", Nullable: true},
			"resource_uri": {Type: "string", Readonly: true, HelpText: "URI."},
		},
		Filtering: map[string]json.RawMessage{"name": json.RawMessage(`1`), "aliases": json.RawMessage(`2`), "tag": json.RawMessage(`["exact", "icontains"]`)},
		Ordering:  []string{"name", "creation_time"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("schema (-want +got):\n%s", diff)
	}
	if !got.Allows("PATCH", true) || got.Allows("patch", false) {
		t.Error("Allows disagrees with the method lists")
	}
	if p := node.requests()[0].Path; p != "/api/admin/configuration/v1/conference/schema/" {
		t.Errorf("path = %s", p)
	}
}
