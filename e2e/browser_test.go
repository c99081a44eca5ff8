package e2e

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"pexops/pexip/sim/platform"
)

// chrome starts a headless Chromium for one test, with the flags this closed network needs.
func chrome(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("PEXOPS_E2E_NO_BROWSER") == "1" {
			t.Skip("PEXOPS_E2E_NO_BROWSER=1 and no chromium")
		}
		t.Fatal("chromium is not installed: run `make test`, which installs it")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // start the browser without a timeout
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// signIn fills the sign-in form like a person.
func signIn(base string, a account) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), a.name),
		chromedp.SendKeys(chromedp.CSS("#password"), a.password),
		chromedp.Click(chromedp.CSS("[data-test=login-submit]")),
		chromedp.WaitVisible(chromedp.CSS("[data-test=live-root]")),
	)
}

func TestBrowserMuteArrivesOverWebsocket(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.login(admin)
	createService(t, b, "Browser Room", "browser.room@example.com")
	pid, err := c.Sim.Platform().Join(platform.JoinSpec{Alias: "browser.room@example.com", DisplayName: "Grace Host", Role: "chair", Protocol: "SIP"})
	if err != nil {
		t.Fatal(err)
	}

	ctx := chrome(t)
	tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	row := `tr[data-participant-id="` + pid + `"]`
	err = chromedp.Do(tctx,
		signIn(c.URL, operator),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=conference][data-name="Browser Room"] a`)),
		chromedp.Click(chromedp.CSS(`[data-test=conference][data-name="Browser Room"] a`)),
		chromedp.WaitVisible(chromedp.CSS(row+`[data-muted="false"] [data-test=mute]`)),
		// Mark the page: if anything reloads it, the mark is gone.
		chromedp.Evaluate[chromedp.Void](`window.__noReload = true; undefined`),
		chromedp.Click(chromedp.CSS(row+` [data-test=mute]`)),
		chromedp.WaitVisible(chromedp.CSS(row+`[data-muted="true"] [data-test=unmute]`)),
	)
	if err != nil {
		t.Fatalf("mute flow: %v\nconsole log:\n%s", err, c.logs.String())
	}
	still, err := chromedp.Run(tctx, chromedp.Evaluate[bool](`window.__noReload === true`))
	if err != nil || !still {
		t.Errorf("the page reloaded during the mute flow (err %v)", err)
	}
	p, ok := c.Sim.Platform().StatusDetail("participant", pid)
	if !ok || p["is_muted"] != true {
		t.Errorf("the simulator does not report the participant muted: %v", p["is_muted"])
	}
}

func TestBrowserJoinAppearsWithoutReload(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.login(admin)
	createService(t, b, "Join Room", "join.room@example.com")

	ctx := chrome(t)
	tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, signIn(c.URL, viewer), chromedp.Evaluate[chromedp.Void](`window.__noReload = true; undefined`)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Sim.Platform().Join(platform.JoinSpec{Alias: "join.room@example.com", DisplayName: "Late Larry", Role: "chair"}); err != nil {
		t.Fatal(err)
	}
	err := chromedp.Do(tctx, chromedp.WaitVisible(chromedp.CSS(`[data-test=conference][data-name="Join Room"]`)))
	if err != nil {
		t.Fatalf("the new conference did not appear: %v", err)
	}
	still, err := chromedp.Run(tctx, chromedp.Evaluate[bool](`window.__noReload === true`))
	if err != nil || !still {
		t.Error("the page reloaded instead of updating in place")
	}
}

// consoleErrors collects what the page logs as errors (console.error and uncaught exceptions).
type consoleErrors struct {
	mu   sync.Mutex
	msgs []string
}

func (ce *consoleErrors) listen(t *testing.T, ctx context.Context) {
	t.Helper()
	err := chromedp.Listen(ctx, func(ev any) {
		var msg string
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type != runtime.ConsoleAPICalledTypeError {
				return
			}
			for _, a := range e.Args {
				msg += string(a.Value) + a.Description + " "
			}
		case *runtime.EventExceptionThrown:
			msg = e.ExceptionDetails.Text
		default:
			return
		}
		ce.mu.Lock()
		ce.msgs = append(ce.msgs, msg)
		ce.mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (ce *consoleErrors) all() []string {
	ce.mu.Lock()
	defer ce.mu.Unlock()
	return append([]string(nil), ce.msgs...)
}

// Participants joining and leaving a conference on screen update it in place without a
// single console error (field report F11 asks for none; an idempotent delete-before-append
// once made htmx log one for every join).
func TestBrowserJoinsAndLeavesLogNoConsoleErrors(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.login(admin)
	createService(t, b, "Quiet Room", "quiet.room@example.com")
	host, err := c.Sim.Platform().Join(platform.JoinSpec{Alias: "quiet.room@example.com", DisplayName: "Quinn Host", Role: "chair"})
	if err != nil {
		t.Fatal(err)
	}

	ctx := chrome(t)
	var errs consoleErrors
	errs.listen(t, ctx)
	tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, chromedp.Evaluate[chromedp.Void](`undefined`)); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(tctx,
		signIn(c.URL, operator),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=conference][data-name="Quiet Room"] a`)),
		chromedp.Click(chromedp.CSS(`[data-test=conference][data-name="Quiet Room"] a`)),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-participant-id="`+host+`"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	var guests []string
	for i := range 3 {
		id, err := c.Sim.Platform().Join(platform.JoinSpec{Alias: "quiet.room@example.com", DisplayName: "Guest " + strconv.Itoa(i), Role: "guest"})
		if err != nil {
			t.Fatal(err)
		}
		guests = append(guests, id)
	}
	for _, id := range guests {
		if err := chromedp.Do(tctx, chromedp.WaitVisible(chromedp.CSS(`tr[data-participant-id="`+id+`"]`))); err != nil {
			t.Fatalf("guest %s did not appear: %v", id, err)
		}
	}
	c.Sim.Platform().Leave(guests[0])
	n, err := chromedp.Run(tctx, chromedp.Poll[int](`document.querySelectorAll("tr[data-test=participant]").length === 3 ? 3 : 0`))
	if err != nil || n != 3 {
		t.Fatalf("the leaver's row did not go: %v", err)
	}
	rows, _ := chromedp.Run(tctx, chromedp.Evaluate[int](`document.querySelectorAll('tr[data-participant-id]').length`))
	if rows != 3 {
		t.Errorf("%d participant rows, want 3 (no doubled rows)", rows)
	}
	if got := errs.all(); len(got) > 0 {
		t.Errorf("the page logged %d console errors: %q", len(got), got)
	}
}
