package pexip

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// DefaultListLimit is the page size ListAll asks for when the query sets none.
//
// NOTE: a node answers 20 objects per page by default, which turns 5,000 participants into 250
// requests, each locking the node's database. 500 reads the same in 10 requests while keeping
// each response under a megabyte and below Tastypie's usual cap of 1,000 (a node that caps
// lower still works: ListAll follows meta.next whatever the page size).
const DefaultListLimit = 500

// maxPages stops ListAll on a node whose meta.next never ends.
const maxPages = 10000

// Get reads path (relative to /api/admin/, e.g. "status/v1/conference/<id>/") into out. Reads
// are retried on 429, 502, 503, 504 and network errors.
func (c *Client) Get(ctx context.Context, path string, out any) error {
	resp, err := c.do(ctx, request{method: http.MethodGet, path: path, retryable: true})
	if err != nil {
		return fmt.Errorf("get %s: %w", strings.Trim(path, "/"), err)
	}
	if err := c.decode(ctx, path, resp.body, out); err != nil {
		return fmt.Errorf("get %s: %w", strings.Trim(path, "/"), err)
	}
	return nil
}

// GetObject reads one object of resource by id into out.
func (c *Client) GetObject(ctx context.Context, resource, id string, out any) error {
	path, err := objectPath(resource, id)
	if err != nil {
		return fmt.Errorf("get %s: %w", resource, err)
	}
	return c.Get(ctx, path, out)
}

// decode reads a JSON body into out tolerantly: a value of the wrong type (a string where a
// bool belongs) leaves that one field at its zero value and is logged at Warn, so that one
// odd object never blanks a whole list. Malformed JSON is an error.
func (c *Client) decode(ctx context.Context, path string, body []byte, out any) error {
	if out == nil {
		return nil
	}
	if len(body) == 0 {
		return errors.New("pexip: empty response body")
	}
	err := json.Unmarshal(body, out)
	if typeErr, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		c.log.LogAttrs(ctx, slog.LevelWarn, "pexip value of unexpected type ignored",
			slog.String("resource", metricResource(path)), slog.String("field", typeErr.Field),
			slog.String("json_type", typeErr.Value))
		return nil
	}
	if err != nil {
		return fmt.Errorf("pexip: decode response: %w", err)
	}
	return nil
}

// ListPage reads one page of resource (e.g. ResParticipant) with the filters, order_by, limit
// and offset in q.
func ListPage[T any](ctx context.Context, c *Client, resource string, q url.Values) (Page[T], error) {
	var page Page[T]
	resp, err := c.do(ctx, request{method: http.MethodGet, path: resource, query: q, retryable: true})
	if err == nil {
		err = c.decode(ctx, resource, resp.body, &page)
	}
	if err != nil {
		return Page[T]{}, fmt.Errorf("list %s: %w", strings.Trim(resource, "/"), err)
	}
	return page, nil
}

// ListAll reads every page of resource, following meta.next to the end. Without a limit in
// q it asks for DefaultListLimit objects per page.
//
// NOTE: pages are read one after the other while the list may change. ListAll returns what
// the pages said: an object that moved between pages can be missing or appear twice. Callers
// that need one row per object use DedupeByID; the next poll fills any gap.
func ListAll[T any](ctx context.Context, c *Client, resource string, q url.Values) ([]T, error) {
	q = withDefaultLimit(q)
	var all []T
	r := request{method: http.MethodGet, path: resource, query: q, retryable: true}
	seen := map[string]bool{}
	for range maxPages {
		var page Page[T]
		resp, err := c.do(ctx, r)
		if err == nil {
			err = c.decode(ctx, resource, resp.body, &page)
		}
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", strings.Trim(resource, "/"), err)
		}
		if all == nil {
			all = make([]T, 0, min(max(page.Meta.TotalCount, len(page.Objects)), 100_000))
		}
		all = append(all, page.Objects...)
		if page.Meta.Next == nil || *page.Meta.Next == "" || len(page.Objects) == 0 {
			return all, nil
		}
		next, err := c.nextURL(*page.Meta.Next)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", strings.Trim(resource, "/"), err)
		}
		if seen[next.String()] {
			return nil, fmt.Errorf("list %s: meta.next repeats %q", strings.Trim(resource, "/"), next.RequestURI())
		}
		seen[next.String()] = true
		r.target = next
	}
	return nil, fmt.Errorf("list %s: more than %d pages", strings.Trim(resource, "/"), maxPages)
}

func withDefaultLimit(q url.Values) url.Values {
	if q.Get("limit") != "" {
		return q
	}
	out := make(url.Values, len(q)+1)
	for k, v := range q {
		out[k] = v
	}
	out.Set("limit", strconv.Itoa(DefaultListLimit))
	return out
}

// nextURL joins a meta.next path to the base URL. A next that names another host or leaves
// /api/admin/ is refused: it would send our credentials elsewhere.
func (c *Client) nextURL(next string) (*url.URL, error) {
	ref, err := url.Parse(next)
	if err != nil {
		return nil, fmt.Errorf("pexip: bad meta.next %q", next)
	}
	if ref.IsAbs() || ref.Host != "" {
		if !strings.EqualFold(ref.Host, c.base.Host) || ref.Scheme != c.base.Scheme {
			return nil, fmt.Errorf("pexip: meta.next points to another host (%s)", ref.Host)
		}
		ref.Scheme, ref.Host = "", ""
	}
	path := ref.Path
	if !strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("pexip: meta.next is not an absolute path: %q", next)
	}
	// A node behind a path prefix still writes next from /api/admin/.
	if c.base.Path != "" && !strings.HasPrefix(path, c.base.Path+"/") {
		path = c.base.Path + path
	}
	if !strings.HasPrefix(path, c.base.Path+apiPrefix) || checkPath(strings.Trim(path, "/")) != nil {
		return nil, fmt.Errorf("pexip: meta.next leaves the API: %q", next)
	}
	u := *c.base
	u.Path, u.RawPath, u.RawQuery = path, "", ref.RawQuery
	return &u, nil
}

// DedupeByID returns items with one entry per id: the position of the first occurrence with
// the value of the last (the later page is the fresher read). Items with an empty id are kept.
func DedupeByID[T any](items []T, id func(T) string) []T {
	index := make(map[string]int, len(items))
	out := make([]T, 0, len(items))
	for _, it := range items {
		key := id(it)
		if i, ok := index[key]; ok && key != "" {
			out[i] = it
			continue
		}
		index[key] = len(out)
		out = append(out, it)
	}
	return out
}
