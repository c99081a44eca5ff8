package pexip

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"strings"
)

// authorizer supplies the Authorization header of each exchange.
type authorizer interface {
	header(ctx context.Context) (string, error)
	refreshable() bool      // a 401 may be cured by fetching a new credential
	invalidate(used string) // forget the credential in header value used, if still current
	secrets() []string      // values that must never leave the client in an error or a log line
}

// basicAuth sends HTTP Basic credentials preemptively, as every Pexip client does.
type basicAuth struct{ value, password string }

func (b basicAuth) header(context.Context) (string, error) { return b.value, nil }
func (b basicAuth) refreshable() bool                      { return false }
func (b basicAuth) invalidate(string)                      {}
func (b basicAuth) secrets() []string {
	return []string{b.value, strings.TrimPrefix(b.value, "Basic "), b.password}
}

func (c *Client) setAuth(cfg Config) error {
	if cfg.OAuth != nil {
		o, err := newOAuth(c, *cfg.OAuth)
		if err != nil {
			return err
		}
		c.auth = o
		return nil
	}
	if cfg.Username == "" && cfg.Password == "" {
		return nil
	}
	if strings.ContainsAny(cfg.Username, ":\r\n") {
		return errors.New("pexip: username must not contain ':' or line breaks")
	}
	token := base64.StdEncoding.EncodeToString([]byte(cfg.Username + ":" + cfg.Password))
	c.auth = basicAuth{value: "Basic " + token, password: cfg.Password}
	return nil
}

func (c *Client) authHeader(ctx context.Context) (string, error) {
	if c.auth == nil {
		return "", nil
	}
	return c.auth.header(ctx)
}

// redact replaces every credential the client holds with "[redacted]" in b, so that a server
// (or proxy) echoing the request back cannot put a password into an error or a log line.
func (c *Client) redact(b []byte) []byte {
	if c.auth == nil {
		return b
	}
	for _, s := range c.auth.secrets() {
		if len(s) >= 3 && bytes.Contains(b, []byte(s)) {
			b = bytes.ReplaceAll(b, []byte(s), []byte("[redacted]"))
		}
	}
	return b
}

func (c *Client) redactString(s string) string { return string(c.redact([]byte(s))) }

func (c *Client) capBody(b []byte) []byte { return capBytes(c.redact(b)) }
