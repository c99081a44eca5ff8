package pexip

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// Defaults applied by New to a zero Config field.
const (
	DefaultTimeout     = 30 * time.Second
	DefaultMaxInFlight = 1
	DefaultRetries     = 3
)

const (
	dialTimeout      = 10 * time.Second
	handshakeTimeout = 10 * time.Second
	idleConnTimeout  = 90 * time.Second
	apiPrefix        = "/api/admin/"
)

// Config configures a Client for one Management Node.
type Config struct {
	URL                string            // "https://mgr.example.com": scheme, host and port only
	Username, Password string            // HTTP Basic, sent preemptively
	OAuth              *OAuthConfig      // when set, OAuth2 client credentials instead of Basic
	CAFile             string            // extra PEM CA bundle for the node's certificate
	InsecureSkipVerify bool              // explicit opt-out of certificate verification
	Timeout            time.Duration     // per HTTP exchange; default 30s
	MaxInFlight        int               // requests in flight at once; default 1
	Retries            int               // retries of idempotent reads; 0 = 3, -1 = none
	Logger             *slog.Logger      // nil = discard
	Observe            func(RequestInfo) // optional metrics hook, called once per HTTP exchange
}

// OAuthConfig configures OAuth2 client credentials with an ES256 client assertion, as a
// Management Node's OAuth2 client (Users & Devices > OAuth2 Clients) issues them.
type OAuthConfig struct {
	ClientID      string
	PrivateKeyPEM []byte // EC P-256 key, SEC 1 ("EC PRIVATE KEY") or PKCS #8 ("PRIVATE KEY")
	TokenURL      string // default URL + "/oauth/token/"
	Scope         string // optional
}

// RequestInfo describes one HTTP exchange with the Management Node, for metrics. Resource
// names the resource without object ids ("status/v1/participant",
// "status/v1/participant/media_stream", "command/v1/participant/mute") so that it can be used
// as a metric label.
type RequestInfo struct {
	Method   string
	Resource string
	Status   int // 0 when no response arrived
	Duration time.Duration
	Err      error // the transport error when no response arrived; nil for any HTTP status
}

// Client talks to one Management Node. It is safe for concurrent use.
type Client struct {
	base    *url.URL // scheme, host and optional path prefix, no trailing slash
	http    *http.Client
	log     *slog.Logger
	observe func(RequestInfo)
	sem     chan struct{}
	timeout time.Duration
	retries int
	auth    authorizer
	backoff backoff
}

// New returns a Client for cfg. It checks the configuration and loads the CA file but does not
// contact the node.
//
// NOTE: the transport ignores HTTP_PROXY and HTTPS_PROXY. A Management Node is normally
// reached directly on the management network, and a proxy picked up from the environment
// would silently receive every credential the console sends. It also speaks HTTP/1.1 only, so
// that MaxInFlight is exactly the number of connections (and of database-locking requests)
// the node sees.
func New(cfg Config) (*Client, error) {
	base, err := parseBase(cfg.URL)
	if err != nil {
		return nil, err
	}
	tlsConf, err := tlsConfig(cfg)
	if err != nil {
		return nil, err
	}
	c, inFlight := withDefaults(cfg)
	c.base = base
	c.http = &http.Client{
		Transport: newTransport(tlsConf, inFlight, c.timeout),
		// Redirects are never followed blindly: a redirect to /accounts/login/ means the
		// credentials were refused, and a redirect must not carry them elsewhere.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	if err := c.setAuth(cfg); err != nil {
		return nil, err
	}
	return c, nil
}

// withDefaults returns a Client with cfg's settings or their defaults, and the in-flight bound.
func withDefaults(cfg Config) (*Client, int) {
	c := &Client{log: cfg.Logger, observe: cfg.Observe, timeout: cfg.Timeout,
		retries: cfg.Retries, backoff: defaultBackoff()}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	switch {
	case c.retries == 0:
		c.retries = DefaultRetries
	case c.retries < 0:
		c.retries = 0
	}
	inFlight := cfg.MaxInFlight
	if inFlight <= 0 {
		inFlight = DefaultMaxInFlight
	}
	c.sem = make(chan struct{}, inFlight)
	return c, inFlight
}

// parseBase checks the node URL: http or https, a host, no credentials, query or fragment.
// A trailing "/api/admin" is tolerated and removed.
func parseBase(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, errors.New("pexip: invalid node URL")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, fmt.Errorf("pexip: node URL must start with https:// (got scheme %q)", u.Scheme)
	}
	if u.Host == "" {
		return nil, errors.New("pexip: node URL has no host")
	}
	if u.User != nil {
		return nil, errors.New("pexip: node URL must not contain credentials; use Username and Password")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("pexip: node URL must not have a query or fragment")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.Path = strings.TrimSuffix(u.Path, "/api/admin")
	u.RawPath = ""
	return u, nil
}

func tlsConfig(cfg Config) (*tls.Config, error) {
	conf := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: cfg.InsecureSkipVerify}
	if cfg.CAFile == "" {
		return conf, nil
	}
	pemData, err := os.ReadFile(cfg.CAFile)
	if err != nil {
		return nil, fmt.Errorf("pexip: read CA file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pemData) {
		return nil, fmt.Errorf("pexip: CA file %s holds no PEM certificate", cfg.CAFile)
	}
	conf.RootCAs = pool
	return conf, nil
}

func newTransport(tlsConf *tls.Config, inFlight int, timeout time.Duration) *http.Transport {
	dialer := &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		TLSClientConfig:       tlsConf,
		TLSHandshakeTimeout:   handshakeTimeout,
		ResponseHeaderTimeout: timeout,
		ExpectContinueTimeout: time.Second,
		MaxIdleConns:          inFlight,
		MaxIdleConnsPerHost:   inFlight,
		MaxConnsPerHost:       inFlight,
		IdleConnTimeout:       idleConnTimeout,
		ForceAttemptHTTP2:     false,
		TLSNextProto:          map[string]func(string, *tls.Conn) http.RoundTripper{},
	}
}

// URL returns the node's base URL as configured (scheme, host and any path prefix).
func (c *Client) URL() string { return c.base.String() }

// Close releases the client's idle connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// apiURL returns the absolute URL of path (relative to /api/admin/), always with a trailing
// slash before any query.
func (c *Client) apiURL(path string, q url.Values) (*url.URL, error) {
	path = strings.TrimPrefix(path, apiPrefix)
	var rawQuery string
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path, rawQuery = path[:i], path[i+1:]
	}
	path = strings.Trim(path, "/")
	if err := checkPath(path); err != nil {
		return nil, err
	}
	u := *c.base
	u.Path = c.base.Path + apiPrefix + path + "/"
	if len(q) > 0 {
		if rawQuery != "" {
			rawQuery += "&"
		}
		rawQuery += q.Encode()
	}
	u.RawQuery = rawQuery
	return &u, nil
}

// checkPath refuses paths that could escape the resource they name: empty segments, dot
// segments and characters that would start a query or fragment.
func checkPath(path string) error {
	if path == "" {
		return fmt.Errorf("%w: empty path", ErrInvalidID)
	}
	for _, seg := range strings.Split(path, "/") {
		if seg == "" || seg == "." || seg == ".." || strings.ContainsAny(seg, "#\\") {
			return fmt.Errorf("%w: bad path %q", ErrInvalidID, path)
		}
	}
	return nil
}

// objectPath joins a resource and an id, refusing ids that are blank or would address
// anything but one object (F07: a blank id turns a delete into a delete of the collection).
func objectPath(resource, id string) (string, error) {
	id = strings.TrimSpace(id)
	if id == "" || id == "." || id == ".." || strings.ContainsAny(id, "/?#\\%") {
		return "", ErrInvalidID
	}
	return strings.Trim(resource, "/") + "/" + id, nil
}

// metricResource names a path without object ids: "status/v1/participant/<id>/media_stream"
// gives "status/v1/participant/media_stream".
func metricResource(path string) string {
	path = strings.Trim(strings.TrimPrefix(path, apiPrefix), "/")
	segs := strings.Split(path, "/")
	if len(segs) <= 3 {
		return path
	}
	if segs[0] == "command" {
		return strings.Join(segs[:4], "/")
	}
	name := strings.Join(segs[:3], "/")
	if segs[3] == "schema" {
		return name + "/schema"
	}
	if len(segs) >= 5 {
		return name + "/" + segs[4]
	}
	return name
}
