package pexip

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Create POSTs body to resource and returns the new object's id, the last path segment of
// the Location header (absolute or relative). The node answers 201 with an empty body.
//
// A create is never retried: a 500 or 503 may come after the object was made (F06). A 2xx
// without Location returns an error matching ErrNoLocation.
func (c *Client) Create(ctx context.Context, resource string, body any) (string, error) {
	op := "create " + strings.Trim(resource, "/")
	data, err := json.Marshal(body)
	if err != nil {
		return "", fmt.Errorf("%s: encode: %w", op, err)
	}
	resp, err := c.do(ctx, request{method: http.MethodPost, path: resource, body: data})
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	loc := strings.TrimSpace(resp.header.Get("Location"))
	if loc == "" {
		return "", fmt.Errorf("%s: %w (status %d)", op, ErrNoLocation, resp.status)
	}
	u, err := url.Parse(loc)
	id := ""
	if err == nil {
		id = LastSegment(u.Path)
	}
	if id == "" || strings.TrimSuffix(id, "/") == LastSegment(resource) {
		return "", fmt.Errorf("%s: %w: Location %q names no object", op, ErrNoLocation, loc)
	}
	return id, nil
}

// Update PATCHes the given fields of one object. Every field given is sent, including false,
// "", 0 and nil (which clears a relation), so that unticking a box or clearing a PIN is not
// lost (F04). A Related value is sent as its URI; one read without a URI is refused rather
// than sent as null, which would clear it. An empty map sends nothing.
func (c *Client) Update(ctx context.Context, resource, id string, fields map[string]any) error {
	op := "update " + strings.Trim(resource, "/")
	path, err := objectPath(resource, id)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if len(fields) == 0 {
		return nil
	}
	if err := checkRelated(fields); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	data, err := json.Marshal(fields)
	if err != nil {
		return fmt.Errorf("%s: encode: %w", op, err)
	}
	if _, err := c.do(ctx, request{method: http.MethodPatch, path: path, body: data}); err != nil {
		return fmt.Errorf("%s %s: %w", op, id, err)
	}
	return nil
}

// checkRelated refuses a Related (or list of them) that was read as a nested object without
// resource_uri: marshalled, it would become null and clear the relation.
func checkRelated(fields map[string]any) error {
	for name, v := range fields {
		var rels []Related
		switch r := v.(type) {
		case Related:
			rels = []Related{r}
		case *Related:
			if r != nil {
				rels = []Related{*r}
			}
		case []Related:
			rels = r
		}
		for _, r := range rels {
			if r.URI == "" && r.ID != 0 {
				return fmt.Errorf("field %s: related object %d has no URI", name, r.ID)
			}
		}
	}
	return nil
}

// Delete deletes one object. A blank or malformed id returns ErrInvalidID and sends nothing:
// a DELETE on the collection would delete every object of the resource (F07). Never retried.
func (c *Client) Delete(ctx context.Context, resource, id string) error {
	op := "delete " + strings.Trim(resource, "/")
	path, err := objectPath(resource, id)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if _, err := c.do(ctx, request{method: http.MethodDelete, path: path}); err != nil {
		return fmt.Errorf("%s %s: %w", op, id, err)
	}
	return nil
}

// BulkPatch creates, updates and deletes objects of resource in one PATCH of the collection:
// objects with a resource_uri are updated, those without are created, and deleted (ids or
// resource URIs) are deleted. A blank entry in deleted returns ErrInvalidID and sends
// nothing; nothing is sent when both lists are empty. Never retried.
func (c *Client) BulkPatch(ctx context.Context, resource string, objects []map[string]any, deleted []string) error {
	op := "bulk patch " + strings.Trim(resource, "/")
	if len(objects) == 0 && len(deleted) == 0 {
		return nil
	}
	body := map[string]any{"objects": nonNil(objects)}
	if len(deleted) > 0 {
		uris, err := c.deletedURIs(resource, deleted)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		body["deleted_objects"] = uris
	}
	for _, obj := range objects {
		if err := checkRelated(obj); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
	}
	data, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("%s: encode: %w", op, err)
	}
	if _, err := c.do(ctx, request{method: http.MethodPatch, path: resource, body: data}); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

func nonNil(objects []map[string]any) []map[string]any {
	if objects == nil {
		return []map[string]any{}
	}
	return objects
}

// deletedURIs turns ids (or URIs of this resource) into resource URIs.
func (c *Client) deletedURIs(resource string, deleted []string) ([]string, error) {
	prefix := apiPrefix + strings.Trim(resource, "/") + "/"
	uris := make([]string, 0, len(deleted))
	for _, d := range deleted {
		id := strings.TrimSpace(d)
		if strings.Contains(id, "/") {
			if !strings.HasPrefix(id, prefix) {
				return nil, fmt.Errorf("%w: %q is not a %s URI", ErrInvalidID, d, resource)
			}
			id = strings.TrimSuffix(strings.TrimPrefix(id, prefix), "/")
		}
		if _, err := objectPath(resource, id); err != nil {
			return nil, fmt.Errorf("%w: %q", err, d)
		}
		uris = append(uris, prefix+id+"/")
	}
	return uris, nil
}
