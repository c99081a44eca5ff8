package pexip

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Schema is a resource's Tastypie schema (GET <resource>/schema/).
type Schema struct {
	AllowedListMethods   []string // lower case: "get", "post", ...
	AllowedDetailMethods []string
	DefaultLimit         int
	Fields               map[string]SchemaField
	Filtering            map[string]json.RawMessage // field -> 1, 2 or a list of lookups
	Ordering             []string
}

// SchemaField describes one field of a Schema.
type SchemaField struct {
	Type                              string // string, boolean, datetime, integer, related, ...
	Nullable, Blank, Readonly, Unique bool
	Default                           any // may be nil or Tastypie's "No default provided."
	HelpText                          string
	ValidChoices                      []any
	RelatedType                       string // "to_one" or "to_many" for related fields
}

type wireSchema struct {
	AllowedList   []string                   `json:"allowed_list_http_methods"`
	AllowedDetail []string                   `json:"allowed_detail_http_methods"`
	DefaultLimit  Int                        `json:"default_limit"`
	Fields        map[string]wireSchemaField `json:"fields"`
	Filtering     map[string]json.RawMessage `json:"filtering"`
	Ordering      []string                   `json:"ordering"`
}

type wireSchemaField struct {
	Type         string `json:"type"`
	Nullable     bool   `json:"nullable"`
	Blank        bool   `json:"blank"`
	Readonly     bool   `json:"readonly"`
	Unique       bool   `json:"unique"`
	Default      any    `json:"default"`
	HelpText     string `json:"help_text"`
	ValidChoices []any  `json:"valid_choices"`
	RelatedType  string `json:"related_type"`
}

// Schema reads the schema of resource (a configuration, status, history or command path).
func (c *Client) Schema(ctx context.Context, resource string) (*Schema, error) {
	op := "schema " + strings.Trim(resource, "/")
	path := strings.Trim(resource, "/") + "/schema"
	resp, err := c.do(ctx, request{method: http.MethodGet, path: path, retryable: true})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	var w wireSchema
	if err := c.decode(ctx, path, resp.body, &w); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	s := &Schema{
		AllowedListMethods:   lowerAll(w.AllowedList),
		AllowedDetailMethods: lowerAll(w.AllowedDetail),
		DefaultLimit:         int(w.DefaultLimit),
		Fields:               make(map[string]SchemaField, len(w.Fields)),
		Filtering:            w.Filtering,
		Ordering:             w.Ordering,
	}
	for name, f := range w.Fields {
		s.Fields[name] = SchemaField(f)
	}
	return s, nil
}

// Allows reports whether the schema lists method (any case) for the list or detail URI.
func (s *Schema) Allows(method string, detail bool) bool {
	list := s.AllowedListMethods
	if detail {
		list = s.AllowedDetailMethods
	}
	method = strings.ToLower(method)
	for _, m := range list {
		if m == method {
			return true
		}
	}
	return false
}

func lowerAll(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = strings.ToLower(s)
	}
	return out
}
