// Package e2e starts the whole pexops program, as built by `go build`, against a Management
// Node simulator running in the test process over TLS, and checks it the way an operator
// would: pages read with goquery on stable data-test attributes, websockets, and real
// Chromium for the live flows.
package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"pexops/auth"
	"pexops/pexip/sim"
)

var binary string // the pexops binary built once by TestMain

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pexops-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "pexops")
	build := exec.Command("go", "build", "-o", binary, "..")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build pexops:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// console is one running pexops process and the simulator it talks to.
type console struct {
	t    *testing.T
	URL  string
	Sim  *sim.Sim
	cmd  *exec.Cmd
	logs *logBuffer
	stop func()
}

// account is one of the accounts every test console has.
type account struct{ name, password, role string }

var (
	admin    = account{"alice", "alice-pass-1", "admin"}
	operator = account{"oscar", "oscar-pass-1", "operator"}
	viewer   = account{"vera", "vera-pass-1", "viewer"}
)

type consoleOpts struct {
	simOpts sim.Options
	args    []string
	dataDir string // reuse a data dir (restart tests); empty = fresh
}

// startConsole starts a simulator and pexops pointed at it, and waits for the console URL.
func startConsole(t *testing.T, o consoleOpts) *console {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	if o.simOpts.Seed == 0 {
		o.simOpts.Seed = 7
	}
	srv, err := sim.Listen(ctx, "127.0.0.1:0", o.simOpts, true)
	if err != nil {
		cancel()
		t.Fatalf("start simulator: %v", err)
	}
	dir := o.dataDir
	if dir == "" {
		dir = t.TempDir()
	}
	ca := filepath.Join(dir, "ca.pem")
	writeFile(t, ca, string(srv.CertPEM))
	users := filepath.Join(dir, "users")
	writeFile(t, users, usersFile(t))

	c := startProcess(t, dir, append([]string{
		"-pexip-url", srv.URL, "-pexip-ca-file", ca, "-users-file", users,
		"-db", filepath.Join(dir, "pexops.db"), "-poll-interval", "300ms", "-poll-nodes-interval", "1s",
		"-log-level", "debug",
	}, o.args...), []string{"PEXOPS_PEXIP_PASSWORD=pexops-sim"})
	c.Sim = srv.Sim
	stopProc := c.stop
	c.stop = func() { stopProc(); srv.Close(); cancel() }
	t.Cleanup(c.stop)
	return c
}

// startProcess runs the pexops binary with args and waits for it to print its URL.
func startProcess(t *testing.T, dir string, args, env []string) *console {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start pexops: %v", err)
	}
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			logs.Write([]byte("stdout: " + sc.Text() + "\n"))
			if u, ok := strings.CutPrefix(sc.Text(), "pexops console: "); ok {
				urlc <- u
			}
		}
	}()
	c := &console{t: t, cmd: cmd, logs: logs}
	var once sync.Once
	c.stop = func() {
		once.Do(func() {
			cmd.Process.Signal(os.Interrupt)
			done := make(chan struct{})
			go func() { cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(15 * time.Second):
				cmd.Process.Kill()
				<-done
			}
			if t.Failed() {
				t.Logf("pexops log:\n%s", logs.String())
			}
		})
	}
	select {
	case c.URL = <-urlc:
	case <-time.After(30 * time.Second):
		c.stop()
		t.Fatalf("pexops did not start; log:\n%s", logs.String())
	}
	return c
}

func usersFile(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("# test accounts\n")
	for _, a := range []account{admin, operator, viewer} {
		hash, err := auth.HashPassword(a.password)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s:%s:%s\n", a.name, a.role, hash)
	}
	return b.String()
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// logBuffer collects the process's log lines for failure reports and log assertions.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// browser is an HTTP client with a cookie jar: one signed-in person.
type browser struct {
	t      *testing.T
	base   string
	client *http.Client
	csrf   string
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, client: &http.Client{
		Jar: jar, Timeout: 15 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// openLogin loads the sign-in page, as a person does before typing, which sets the login
// form's CSRF cookie and token.
func (b *browser) openLogin() {
	b.t.Helper()
	doc := b.page("/login", http.StatusOK)
	b.csrf = doc.Find(`#login-form input[name="_csrf"]`).AttrOr("value", "")
	if b.csrf == "" {
		b.t.Fatal("the sign-in form has no CSRF token")
	}
}

// login signs in and remembers the page's CSRF token.
func (b *browser) login(a account) {
	b.t.Helper()
	b.openLogin()
	res := b.postForm("/login", url.Values{"username": {a.name}, "password": {a.password}})
	if res.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("login as %s: status %d, want 303", a.name, res.StatusCode)
	}
	doc := b.page("/live", http.StatusOK)
	b.csrf = doc.Find(`form[action="/logout"] input[name="_csrf"]`).AttrOr("value", "")
	if b.csrf == "" {
		b.t.Fatal("no CSRF token on the live page")
	}
}

func (b *browser) do(req *http.Request) *http.Response {
	b.t.Helper()
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	b.t.Cleanup(func() { res.Body.Close() })
	return res
}

func (b *browser) get(path string) *http.Response {
	req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
	return b.do(req)
}

// postForm posts a form as the browser's own page would: same origin, with the CSRF token.
func (b *browser) postForm(path string, form url.Values) *http.Response {
	if b.csrf != "" && form.Get("_csrf") == "" {
		form.Set("_csrf", b.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.base)
	return b.do(req)
}

// htmxPost posts as an htmx button does: token in the header, HX-Request set.
func (b *browser) htmxPost(path string) *http.Response {
	req, _ := http.NewRequest(http.MethodPost, b.base+path, nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-CSRF-Token", b.csrf)
	req.Header.Set("Origin", b.base)
	return b.do(req)
}

// page GETs path, checks the status and parses the HTML.
func (b *browser) page(path string, status int) *goquery.Document {
	b.t.Helper()
	return parse(b.t, b.get(path), status)
}

func parse(t *testing.T, res *http.Response, status int) *goquery.Document {
	t.Helper()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d; body:\n%.2000s", res.Request.Method, res.Request.URL.Path, res.StatusCode, status, body)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", within, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
