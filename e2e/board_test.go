package e2e

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coder/websocket"

	"pexops/pexip/sim"
	"pexops/pexip/sim/platform"
)

// createBoard makes a board link as an admin and returns the link and its token.
func createBoard(t *testing.T, b *browser, label string) (link, token, id string) {
	t.Helper()
	doc := parse(t, b.postForm("/boards", url.Values{"label": {label}}), http.StatusOK)
	link = doc.Find("[data-test=board-link]").AttrOr("value", "")
	u, err := url.Parse(link)
	if err != nil || u.Query().Get("token") == "" {
		t.Fatalf("no board link shown after create: %q", link)
	}
	row := doc.Find(`[data-test=board-token]`).First()
	return link, u.Query().Get("token"), row.AttrOr("data-id", "")
}

func TestBoardTokenGrantsOnlyTheBoardAndCanBeRevoked(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	adm := newBrowser(t, c.URL)
	adm.login(admin)
	createService(t, adm, "Tile Test Room", "tile.test@example.com")

	if res := adm.postForm("/boards", url.Values{"label": {"  "}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("blank label: status %d, want 422", res.StatusCode)
	}
	v := newBrowser(t, c.URL)
	v.login(viewer)
	if res := v.get("/boards"); res.StatusCode != http.StatusForbidden {
		t.Errorf("a viewer on /boards: status %d, want 403", res.StatusCode)
	}

	link, token, id := createBoard(t, adm, "NOC wall")
	if again := adm.page("/boards", http.StatusOK); strings.Contains(again.Text(), token) ||
		again.Find("[data-test=board-link]").Length() != 0 {
		t.Error("the board link is shown again after it was created")
	}

	wall := newBrowser(t, c.URL) // no account at all
	checkBoardPage(t, wall, strings.TrimPrefix(link, c.URL), token)
	conn, msgs, readErr := openBoardSocket(t, c, wall, token)
	defer conn.Close(websocket.StatusNormalClosure, "")
	join(t, c, platform.JoinSpec{Alias: "tile.test@example.com", DisplayName: "Tile Tess", Role: "chair"})
	feedUntil(t, msgs, 10*time.Second, `data-name="Tile Test Room"`)

	if res := adm.postForm("/boards/"+id+"/revoke", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: status %d", res.StatusCode)
	}
	for range msgs { // until the console closes the socket
	}
	if got := websocket.CloseStatus(*readErr); got != websocket.StatusPolicyViolation {
		t.Errorf("board socket after revoke: %v (%v), want 1008", got, *readErr)
	}
	if res := wall.get("/board?token=" + url.QueryEscape(token)); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("a revoked token: status %d, want 401", res.StatusCode)
	}
	if strings.Contains(c.logs.String(), token) {
		t.Error("the board token appears in the console's log")
	}
}

// checkBoardPage opens the board by its link without an account: the board, no controls,
// nothing else.
func checkBoardPage(t *testing.T, wall *browser, path, token string) {
	t.Helper()
	res := wall.get(path)
	doc := parse(t, res, http.StatusOK)
	if doc.Find("[data-test=board-root]").Length() != 1 {
		t.Fatal("the board link does not show the board")
	}
	if n := doc.Find("form, button, input, select").Length(); n != 0 {
		t.Errorf("the board has %d controls, want none", n)
	}
	if got := res.Header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("Referrer-Policy %q on a token page, want no-referrer", got)
	}
	for _, path := range []string{"/live", "/platform", "/services"} {
		if res := wall.get(path + "?token=" + url.QueryEscape(token)); res.StatusCode == http.StatusOK {
			t.Errorf("the board token opened %s", path)
		}
	}
	if res := wall.get("/board?token=pxb_wrong"); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("a wrong token: status %d, want 401", res.StatusCode)
	}
}

// openBoardSocket opens the board's websocket with its token, after checking that the page
// websocket stays closed to it, and waits for the snapshot.
func openBoardSocket(t *testing.T, c *console, wall *browser, token string) (*websocket.Conn, <-chan string, *error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, _, err := wall.dialWS(ctx, "", c.URL)
	if err == nil {
		conn.Close(websocket.StatusNormalClosure, "")
		t.Error("the page websocket opened without a session")
	}
	u := "ws" + strings.TrimPrefix(c.URL, "http") + "/board/ws?token=" + url.QueryEscape(token)
	conn, _, err = websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {c.URL}}})
	if err != nil {
		t.Fatalf("board websocket with its token: %v", err)
	}
	msgs, readErr := feedErr(conn)
	feedUntil(t, msgs, 10*time.Second, `id="tiles"`)
	return conn, msgs, readErr
}

// restartableConsole runs pexops against a simulator that outlives it, so a test can stop the
// console and start it again on the same address with the same data.
type restartableConsole struct {
	t    *testing.T
	dir  string
	args []string
	srv  *sim.Server
	URL  string
	cur  *console
}

func startRestartable(t *testing.T) *restartableConsole {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := sim.Listen(ctx, "127.0.0.1:0", sim.Options{Seed: 7}, true)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close(); cancel() })
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "ca.pem"), string(srv.CertPEM))
	writeFile(t, filepath.Join(dir, "users"), usersFile(t))
	r := &restartableConsole{t: t, dir: dir, srv: srv, args: []string{
		"-pexip-url", srv.URL, "-pexip-ca-file", filepath.Join(dir, "ca.pem"),
		"-users-file", filepath.Join(dir, "users"), "-db", filepath.Join(dir, "pexops.db"),
		"-poll-interval", "300ms", "-poll-nodes-interval", "1s",
	}}
	r.start("127.0.0.1:0")
	r.URL = r.cur.URL
	return r
}

func (r *restartableConsole) start(addr string) {
	r.t.Helper()
	c := startProcess(r.t, r.dir, append(append([]string{}, r.args...), "-addr", addr), []string{"PEXOPS_PEXIP_PASSWORD=pexops-sim"})
	c.Sim = r.srv.Sim
	r.t.Cleanup(c.stop)
	r.cur = c
}

// restart stops the console (SIGINT, as a deploy would) and starts it on the same address.
func (r *restartableConsole) restart() {
	r.t.Helper()
	r.cur.stop()
	r.start(strings.TrimPrefix(r.URL, "http://"))
	if r.cur.URL != r.URL {
		r.t.Fatalf("console came back on %s, want %s", r.cur.URL, r.URL)
	}
}

func TestBoardBrowserComesBackAfterConsoleRestart(t *testing.T) {
	r := startRestartable(t)
	adm := newBrowser(t, r.URL)
	adm.login(admin)
	createService(t, adm, "Wall Room", "wall.room@example.com")
	link, _, _ := createBoard(t, adm, "Test wall")

	ctx := chrome(t)
	tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	err := chromedp.Do(tctx,
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS("[data-test=board-root]")),
		chromedp.WaitReady(chromedp.CSS(`body[data-ws="open"]`)),
		chromedp.Evaluate[chromedp.Void](`window.__noReload = true; undefined`),
	)
	if err != nil {
		t.Fatalf("open the board: %v", err)
	}

	before := r.cur
	r.restart()
	if logs := before.logs.String(); strings.Contains(logs, "hijacked") || !strings.Contains(logs, "shutting down") {
		t.Errorf("the stopped console did not shut down cleanly:\n%s", logs)
	}
	// The restart is over before the page's first reconnect attempt may even have run; the
	// page must be connected again, to the new process, and show what happens now.
	if _, err := r.srv.Sim.Platform().Join(platform.JoinSpec{Alias: "wall.room@example.com", DisplayName: "After Restart", Role: "chair"}); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(tctx,
		chromedp.WaitVisible(chromedp.CSS(`[data-test=tile][data-name="Wall Room"]`)),
		chromedp.WaitReady(chromedp.CSS(`body[data-ws="open"]`)),
		chromedp.WaitNotVisible(chromedp.CSS("#conn-banner")),
	)
	if err != nil {
		t.Fatalf("the board did not come back after the restart: %v\nconsole log:\n%s", err, r.cur.logs.String())
	}
	still, err := chromedp.Run(tctx, chromedp.Evaluate[bool](`window.__noReload === true`))
	if err != nil || !still {
		t.Errorf("the board reloaded instead of reconnecting (err %v)", err)
	}
}
