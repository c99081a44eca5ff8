package pexip

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const (
	maxBodyBytes  = 256 << 20 // a 10,000-participant page is about 12 MB
	maxErrorBytes = 64 << 10  // what an APIError keeps of an error body
)

// request is one logical call; do may turn it into several HTTP exchanges.
type request struct {
	method    string
	path      string     // relative to /api/admin/, for the URL and the metric name
	query     url.Values // added to path's own query
	target    *url.URL   // absolute URL to use instead of path (a followed meta.next)
	body      []byte
	retryable bool // idempotent read: may be retried on 429, 502-504 and network errors
}

// response is a completed exchange with a body read in full.
type response struct {
	status int
	header http.Header
	body   []byte
}

// backoff decides how long to wait before a retry.
type backoff struct {
	base, max     time.Duration
	maxRetryAfter time.Duration
	sleep         func(ctx context.Context, d time.Duration) error
	now           func() time.Time
}

func defaultBackoff() backoff {
	return backoff{
		base:          500 * time.Millisecond,
		max:           8 * time.Second,
		maxRetryAfter: 30 * time.Second,
		sleep:         sleepCtx,
		now:           time.Now,
	}
}

// delay is the wait before retry number attempt+1: the server's Retry-After when it gave one
// (capped), otherwise exponential backoff with jitter in [d/2, d).
func (b backoff) delay(attempt int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return min(retryAfter, b.maxRetryAfter)
	}
	d := b.base << min(attempt, 16)
	if d <= 0 || d > b.max {
		d = b.max
	}
	half := d / 2
	return half + rand.N(half+1)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// do performs r, retrying idempotent reads, and returns a 2xx response or an error: an
// *APIError for an HTTP error status, otherwise the transport's error.
func (c *Client) do(ctx context.Context, r request) (*response, error) {
	for attempt := 0; ; attempt++ {
		resp, err := c.exchangeAuthed(ctx, r)
		if err == nil {
			return resp, nil
		}
		if !r.retryable || attempt >= c.retries || !retryableErr(ctx, err) {
			return nil, err
		}
		var retryAfter time.Duration
		if apiErr, ok := errors.AsType[*APIError](err); ok {
			retryAfter = apiErr.RetryAfter
		}
		wait := c.backoff.delay(attempt, retryAfter)
		if dl, ok := ctx.Deadline(); ok && c.backoff.now().Add(wait).After(dl) {
			return nil, err
		}
		if sleepErr := c.backoff.sleep(ctx, wait); sleepErr != nil {
			return nil, err
		}
	}
}

// retryableErr reports whether a read that failed with err is worth repeating: the node was
// overloaded or unreachable, and the caller's context is still alive.
func retryableErr(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	if apiErr, ok := errors.AsType[*APIError](err); ok {
		switch apiErr.Status {
		case http.StatusTooManyRequests, http.StatusBadGateway,
			http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return true
		}
		return false
	}
	// A certificate the client refuses will be refused again.
	if _, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		return false
	}
	if _, ok := errors.AsType[x509.HostnameError](err); ok {
		return false
	}
	return !errors.Is(err, ErrInvalidID)
}

// exchangeAuthed runs one exchange and, when a bearer token was refused, refreshes the token
// and runs it once more. A refused token means the node did not process the request, so the
// repeat is safe for every method.
func (c *Client) exchangeAuthed(ctx context.Context, r request) (*response, error) {
	auth, err := c.authHeader(ctx)
	if err != nil {
		return nil, err
	}
	resp, err := c.exchange(ctx, r, auth)
	if c.auth == nil || !c.auth.refreshable() {
		return resp, err
	}
	if apiErr, ok := errors.AsType[*APIError](err); ok && apiErr.Status == http.StatusUnauthorized {
		c.auth.invalidate(auth)
		if auth, err = c.authHeader(ctx); err != nil {
			return nil, err
		}
		return c.exchange(ctx, r, auth)
	}
	return resp, err
}

// exchange runs one HTTP exchange (following at most one trailing-slash redirect of a GET).
func (c *Client) exchange(ctx context.Context, r request, auth string) (*response, error) {
	u := r.target
	if u == nil {
		var err error
		if u, err = c.apiURL(r.path, r.query); err != nil {
			return nil, err
		}
	}
	resp, err := c.roundTrip(ctx, r, u, auth)
	if err != nil {
		return nil, err
	}
	if resp.status >= 300 && resp.status < 400 {
		next, err := c.redirectTarget(r, u, resp)
		if err != nil {
			return nil, err
		}
		if resp, err = c.roundTrip(ctx, r, next, auth); err != nil {
			return nil, err
		}
		if resp.status >= 300 && resp.status < 400 {
			return nil, c.redirectError(resp)
		}
	}
	if resp.status < 200 || resp.status > 299 {
		return nil, c.newAPIError(resp)
	}
	return resp, nil
}

// redirectTarget allows only what a Django node does for a missing slash: a permanent
// redirect of a GET to the same path with a slash appended, on the same host.
func (c *Client) redirectTarget(r request, from *url.URL, resp *response) (*url.URL, error) {
	loc, err := from.Parse(resp.header.Get("Location"))
	if err != nil || r.method != http.MethodGet {
		return nil, c.redirectError(resp)
	}
	permanent := resp.status == http.StatusMovedPermanently || resp.status == http.StatusPermanentRedirect
	samePlace := loc.Scheme == from.Scheme && loc.Host == from.Host &&
		strings.TrimSuffix(loc.Path, "/") == strings.TrimSuffix(from.Path, "/")
	if !permanent || !samePlace || !strings.HasSuffix(loc.Path, "/") {
		return nil, c.redirectError(resp)
	}
	return loc, nil
}

// redirectError explains a redirect that is not followed. A redirect to the login page is
// how a node refuses credentials on some paths.
func (c *Client) redirectError(resp *response) error {
	loc := resp.header.Get("Location")
	e := &APIError{Status: resp.status, Body: c.capBody(resp.body)}
	if strings.Contains(loc, "/accounts/login") || strings.Contains(loc, "/login/") {
		e.Message = "redirected to the login page: credentials refused"
		e.kind = ErrUnauthorized
		return e
	}
	e.Message = "unexpected redirect (not followed)"
	return e
}

// roundTrip sends one HTTP request within the in-flight bound and reads the whole body.
func (c *Client) roundTrip(ctx context.Context, r request, u *url.URL, auth string) (*response, error) {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-c.sem }()

	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := c.newHTTPRequest(ctx, r, u, auth)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	resp, err := c.send(req)
	c.record(ctx, r.method, metricResource(strings.TrimPrefix(u.Path, c.base.Path)), resp, err, time.Since(start))
	return resp, err
}

func (c *Client) newHTTPRequest(ctx context.Context, r request, u *url.URL, auth string) (*http.Request, error) {
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	return req, nil
}

func (c *Client) send(req *http.Request) (*response, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	if n := resp.ContentLength; n > 0 && n <= maxBodyBytes {
		buf.Grow(int(n))
	}
	n, err := buf.ReadFrom(io.LimitReader(resp.Body, maxBodyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read response body: %w", err)
	}
	if n > maxBodyBytes {
		return nil, fmt.Errorf("response body larger than %d bytes", maxBodyBytes)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: buf.Bytes()}, nil
}

// record logs one exchange at Debug and reports it to the Observe hook. It never logs
// headers, bodies or query strings.
func (c *Client) record(ctx context.Context, method, resource string, resp *response, err error, d time.Duration) {
	status := 0
	if resp != nil {
		status = resp.status
	}
	attrs := []slog.Attr{
		slog.String("method", method), slog.String("resource", resource),
		slog.Int("status", status), slog.Duration("duration", d),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", c.redactString(err.Error())))
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "pexip request", attrs...)
	if c.observe != nil {
		c.observe(RequestInfo{Method: method, Resource: resource, Status: status, Duration: d, Err: err})
	}
}

// parseRetryAfter reads Retry-After as delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		return max(time.Duration(secs)*time.Second, 0)
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}
