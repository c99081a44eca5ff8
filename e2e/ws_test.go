package e2e

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"pexops/pexip/sim/platform"
)

// dialWS opens the page websocket the way a browser page on origin would.
func (b *browser) dialWS(ctx context.Context, query, origin string) (*websocket.Conn, *http.Response, error) {
	u := "ws" + strings.TrimPrefix(b.base, "http") + "/ws?" + query
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	return websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: b.client, HTTPHeader: h})
}

// readUntil reads messages until one contains want.
func readUntil(t *testing.T, ctx context.Context, conn *websocket.Conn, want string) string {
	t.Helper()
	for {
		_, msg, err := conn.Read(ctx)
		if err != nil {
			t.Fatalf("waiting for a message with %q: %v", want, err)
		}
		if strings.Contains(string(msg), want) {
			return string(msg)
		}
	}
}

func TestWebsocketChecksOriginBeforeUpgrade(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.login(viewer)
	u, _ := url.Parse(c.URL)
	tests := []struct {
		origin string
		status int
	}{
		{"https://evil.example", http.StatusForbidden},
		{"https://" + u.Host, http.StatusForbidden},                         // scheme differs
		{"http://" + u.Hostname() + ":1", http.StatusForbidden},             // port differs
		{"http://localhost.evil.example:" + u.Port(), http.StatusForbidden}, // host differs
		{c.URL, http.StatusSwitchingProtocols},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, tt := range tests {
		t.Run(tt.origin, func(t *testing.T) {
			conn, res, err := b.dialWS(ctx, "topic=conferences", tt.origin)
			if conn != nil {
				conn.Close(websocket.StatusNormalClosure, "")
			}
			if res == nil {
				t.Fatalf("no response: %v", err)
			}
			if res.StatusCode != tt.status {
				t.Errorf("status %d, want %d", res.StatusCode, tt.status)
			}
		})
	}
}

func TestWebsocketSendsSnapshotThenEscapedDeltas(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.login(admin)
	createService(t, b, "Delta Room", "delta@example.com")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	conn, _, err := b.dialWS(ctx, "topic=conferences", c.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(websocket.StatusNormalClosure, "")
	readUntil(t, ctx, conn, `id="conf-rows"`) // the snapshot comes first

	if _, err := c.Sim.Platform().Join(platform.JoinSpec{Alias: "delta@example.com", DisplayName: "Ada", Role: "chair"}); err != nil {
		t.Fatal(err)
	}
	msg := readUntil(t, ctx, conn, `data-name="Delta Room"`)
	if !strings.Contains(msg, "beforeend:#conf-rows") {
		t.Errorf("a new conference is not appended to the list: %.500s", msg)
	}

	// One conference page: a hostile display name arrives escaped in the live push.
	doc := b.page("/live", http.StatusOK)
	href, _ := doc.Find(`[data-test=conference][data-name="Delta Room"] [data-test=conference-link]`).Attr("href")
	id := strings.TrimPrefix(href, "/live/conferences/")
	conf, _, err := b.dialWS(ctx, "topic=conference&id="+url.QueryEscape(id), c.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conf.Close(websocket.StatusNormalClosure, "")
	readUntil(t, ctx, conf, `id="plist"`)
	if _, err := c.Sim.Platform().Join(platform.JoinSpec{Alias: "delta@example.com", DisplayName: `<img src=x onerror=alert(1)>`, Role: "guest"}); err != nil {
		t.Fatal(err)
	}
	msg = readUntil(t, ctx, conf, "onerror")
	if strings.Contains(msg, "<img src=x") || !strings.Contains(msg, "&lt;img src=x onerror=alert(1)&gt;") {
		t.Errorf("display name not escaped in the live push: %.800s", msg)
	}
}

func TestLogoutRevokesCookieAndClosesSockets(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.login(viewer)
	u, _ := url.Parse(c.URL)
	copied := b.client.Jar.Cookies(u)

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	conn, _, err := b.dialWS(ctx, "topic=conferences", c.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(websocket.StatusNormalClosure, "")
	readUntil(t, ctx, conn, `id="conf-rows"`)

	if res := b.postForm("/logout", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: status %d", res.StatusCode)
	}
	for {
		_, _, err := conn.Read(ctx)
		if err == nil {
			continue
		}
		if got := websocket.CloseStatus(err); got != websocket.StatusPolicyViolation {
			t.Errorf("socket closed with %v (%v), want 1008 policy violation", got, err)
		}
		break
	}

	replay := newBrowser(t, c.URL)
	replay.client.Jar.SetCookies(u, copied)
	if res := replay.get("/live"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("replayed cookie on /live: status %d, want a redirect to sign in", res.StatusCode)
	}
	_, res, err := replay.dialWS(ctx, "topic=conferences", c.URL)
	if err == nil || res == nil || res.StatusCode != http.StatusUnauthorized {
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		t.Errorf("replayed cookie on /ws: status %d (%v), want 401", status, errors.Unwrap(err))
	}
}
