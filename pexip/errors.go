package pexip

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Sentinel errors, matched with errors.Is through an *APIError.
var (
	// ErrNotFound is a 404, or a command refused because its participant, conference or cloud
	// node does not exist ("Failed to find participant.").
	ErrNotFound = errors.New("pexip: not found")
	// ErrUnauthorized is a 401 or 403, a redirect to the login page or a refused OAuth2 client.
	ErrUnauthorized = errors.New("pexip: unauthorized")
	// ErrInvalidID is an id that is blank or would address more than one object; nothing is
	// sent for it.
	ErrInvalidID = errors.New("pexip: invalid id")
	// ErrNoLocation is a create the node accepted without saying where the new object is; the
	// object may exist.
	ErrNoLocation = errors.New("pexip: created object has no Location")
)

// APIError is an HTTP error status from the Management Node.
type APIError struct {
	Status     int
	Message    string              // from the body's error, error_message, message or detail
	Fields     map[string][]string // validation errors by field; "__all__" for the object
	Body       []byte              // the body, at most 64 KiB
	RetryAfter time.Duration       // from Retry-After on 429 and 503

	kind error // a sentinel the error also matches, beyond what Status implies
}

// Error returns "pexip: <status>: <message>" and the field errors in field order.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "pexip: %d %s", e.Status, http.StatusText(e.Status))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	names := make([]string, 0, len(e.Fields))
	for name := range e.Fields {
		names = append(names, name)
	}
	slices.Sort(names)
	for i, name := range names {
		sep := "; "
		if i == 0 && e.Message == "" {
			sep = ": "
		}
		fmt.Fprintf(&b, "%s%s: %s", sep, name, strings.Join(e.Fields[name], " "))
	}
	return b.String()
}

// Is makes errors.Is(err, ErrNotFound) true for a 404 (and a "Failed to find" command error)
// and errors.Is(err, ErrUnauthorized) true for 401 and 403.
func (e *APIError) Is(target error) bool {
	switch {
	case e.kind != nil && target == e.kind:
		return true
	case target == ErrNotFound:
		return e.Status == http.StatusNotFound
	case target == ErrUnauthorized:
		return e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden
	}
	return false
}

// FieldError returns the first message for field, or "".
func (e *APIError) FieldError(field string) string {
	if msgs := e.Fields[field]; len(msgs) > 0 {
		return msgs[0]
	}
	return ""
}

// newAPIError reads an error response: a message from one of the usual keys, field errors
// from Pexip's {"<resource>": {"<field>": ["..."]}}, and Retry-After.
func (c *Client) newAPIError(resp *response) *APIError {
	body := c.redact(resp.body)
	e := &APIError{Status: resp.status, Body: capBytes(body)}
	if resp.status == http.StatusTooManyRequests || resp.status == http.StatusServiceUnavailable {
		e.RetryAfter = parseRetryAfter(resp.header.Get("Retry-After"), c.backoff.now())
	}
	e.Message, e.Fields = parseErrorBody(body)
	e.Message = truncate(e.Message, maxMessageBytes)
	if e.Message == "" && len(e.Fields) == 0 && len(bytes.TrimSpace(body)) > 0 && !looksLikeHTML(body) {
		e.Message = truncate(string(bytes.TrimSpace(body)), maxMessageBytes)
	}
	if resp.status == http.StatusBadRequest && mentionsFailedToFind(e.Fields) {
		e.kind = ErrNotFound
	}
	return e
}

// maxMessageBytes bounds APIError.Message, which ends up in error strings and logs.
const maxMessageBytes = 500

var messageKeys = []string{"error", "error_message", "message", "detail", "details"}

// parseErrorBody understands the shapes a Management Node (Tastypie) writes.
func parseErrorBody(body []byte) (string, map[string][]string) {
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return "", nil
	}
	for _, key := range messageKeys {
		var s string
		if raw, ok := top[key]; ok && json.Unmarshal(raw, &s) == nil && s != "" {
			return s, nil
		}
	}
	fields := map[string][]string{}
	for key, raw := range top {
		var inner map[string]json.RawMessage
		if json.Unmarshal(raw, &inner) != nil {
			// Some proxies and older code leave out the resource wrapper.
			if list := messageList(raw); len(list) > 0 {
				fields[key] = append(fields[key], list...)
			}
			continue
		}
		for name, msgs := range inner {
			if list := messageList(msgs); len(list) > 0 {
				fields[name] = append(fields[name], list...)
			}
		}
	}
	if len(fields) == 0 {
		return "", nil
	}
	return "", fields
}

// messageList reads ["a", "b"] or a bare "a".
func messageList(raw json.RawMessage) []string {
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var s string
	if json.Unmarshal(raw, &s) == nil && s != "" {
		return []string{s}
	}
	return nil
}

func mentionsFailedToFind(fields map[string][]string) bool {
	for _, msgs := range fields {
		for _, m := range msgs {
			if strings.HasPrefix(strings.ToLower(m), "failed to find") {
				return true
			}
		}
	}
	return false
}

func looksLikeHTML(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && b[0] == '<'
}

func capBytes(b []byte) []byte {
	if len(b) > maxErrorBytes {
		b = b[:maxErrorBytes]
	}
	return bytes.Clone(b)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// CommandError is a command the node accepted (2xx) but reported as not done.
type CommandError struct {
	Command string // "participant/mute"
	Status  string // the body's status, e.g. "failed" or "error"
	Message string // the body's message or error text
}

// Error returns "pexip: <command>: <status>: <message>".
func (e *CommandError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = "no message"
	}
	return fmt.Sprintf("pexip: %s: %s: %s", e.Command, e.Status, msg)
}
