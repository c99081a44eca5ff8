package e2e

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserServiceInlineAliasesAndPreview edits aliases inline, previews the change in
// place and saves it, as an operator would in Chromium.
func TestBrowserServiceInlineAliasesAndPreview(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.login(admin)
	id := createService(t, b, "Browser Edit Room", "keep@example.com", "drop@example.com")
	if res := b.postForm("/services/"+id, url.Values{"allow_guests": {"false", "true"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("allow guests: %d", res.StatusCode)
	}

	ctx := chrome(t)
	tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	rows := `[data-test=alias-editor] [data-test=alias-row]`
	var changes map[string][]string
	err := chromedp.Do(tctx,
		signIn(c.URL, admin),
		chromedp.Navigate(c.URL+"/services/"+id),
		chromedp.WaitVisible(chromedp.CSS(rows+`:nth-child(2) [data-test=alias-remove]`)),
		chromedp.Evaluate[chromedp.Void](`window.__noReload = true; undefined`),
		// Remove the second alias, add a new one, untick guests.
		chromedp.Click(chromedp.CSS(rows+`:nth-child(2) [data-test=alias-remove]`)),
		chromedp.Click(chromedp.CSS(`[data-test=alias-add]`)),
		chromedp.SendKeys(chromedp.CSS(rows+`:last-child [data-test=alias-input]`), "added@example.com"),
		chromedp.Click(chromedp.CSS(`#allow_guests`)),
		chromedp.Click(chromedp.CSS(`[data-test=preview]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=change][data-field=aliases]`)),
	)
	if err != nil {
		t.Fatalf("edit and preview: %v\nconsole log:\n%s", err, c.logs.String())
	}
	changes, err = chromedp.Run(tctx, chromedp.Evaluate[map[string][]string](`Object.fromEntries(
		[...document.querySelectorAll('[data-test=change]')].map(r => [r.dataset.field,
			[r.querySelector('[data-test=old]').textContent, r.querySelector('[data-test=new]').textContent]]))`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"allow_guests": {"yes", "no"},
		"aliases":      {"removes: drop@example.com", "adds: added@example.com"},
	}
	if len(changes) != len(want) {
		t.Errorf("preview shows %v, want %v", changes, want)
	}
	for f, w := range want {
		if strings.Join(changes[f], "|") != strings.Join(w, "|") {
			t.Errorf("preview of %s = %v, want %v", f, changes[f], w)
		}
	}
	if obj := simService(t, c, id); obj["allow_guests"] != true || len(aliasesOf(obj)) != 2 {
		t.Fatal("the preview changed the service")
	}
	still, err := chromedp.Run(tctx, chromedp.Evaluate[bool](`window.__noReload === true`))
	if err != nil || !still {
		t.Error("the preview reloaded the page instead of showing in place")
	}

	err = chromedp.Do(tctx,
		chromedp.Click(chromedp.CSS(`[data-test=confirm-save]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=saved]`)),
	)
	if err != nil {
		t.Fatalf("save: %v", err)
	}
	obj := simService(t, c, id)
	if got := strings.Join(aliasesOf(obj), " "); obj["allow_guests"] != false || got != "keep@example.com added@example.com" {
		t.Errorf("after save: allow_guests %v, aliases %q", obj["allow_guests"], got)
	}
}
