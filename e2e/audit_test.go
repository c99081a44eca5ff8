package e2e

import (
	"encoding/csv"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"pexops/pexip/sim/platform"
)

func TestAuditAnswersWhoDidWhatAndSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	r := startRoom(t, consoleOpts{dataDir: dir}, "Audit Room", "audit@example.com",
		platform.JoinSpec{DisplayName: "=HYPERLINK(\"x\")", Role: "chair"},
		platform.JoinSpec{DisplayName: "Paul", Role: "chair"})
	evil, paul := r.pids[`=HYPERLINK("x")`], r.pids["Paul"]
	r.op.htmxPost("/live/participants/" + paul + "/mute")
	r.op.htmxPost("/live/participants/" + evil + "/mute")
	r.op.htmxPost("/live/conferences/" + r.confID + "/lock")

	a := newBrowser(t, r.c.URL)
	a.login(admin)
	// Recorded before the answer: no waiting needed.
	doc := a.page("/audit?target=Paul", http.StatusOK)
	rows := doc.Find("[data-test=audit-entry]")
	if rows.Length() != 1 || rows.AttrOr("data-action", "") != "participant/mute" || rows.AttrOr("data-account", "") != operator.name {
		t.Fatalf("target filter: %d rows %q", rows.Length(), rows.Text())
	}
	if !strings.HasPrefix(rows.Find("td").Eq(2).Text(), "127.0.0.1") {
		t.Errorf("address %q, want the operator's", rows.Find("td").Eq(2).Text())
	}
	tests := []struct {
		query string
		want  int
	}{
		{"account=" + operator.name, 3},
		{"account=" + admin.name, 0}, // the admin made configuration changes only
		{"action=conference/lock", 1},
		{"target=" + url.QueryEscape(r.confID), 3},
		{"since=" + url.QueryEscape(time.Now().UTC().Add(time.Hour).Format("2006-01-02T15:04")), 0},
		{"until=" + url.QueryEscape(time.Now().UTC().Add(time.Hour).Format("2006-01-02T15:04")) + "&action=participant/mute", 2},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			n := a.page("/audit?"+tt.query, http.StatusOK).Find(`[data-test=audit-entry]:not([data-action^="configuration/"])`).Length()
			if n != tt.want {
				t.Errorf("%d entries, want %d", n, tt.want)
			}
		})
	}
	bad := a.page("/audit?since=soon&account=oscar", http.StatusBadRequest)
	if bad.Find("[data-test=audit-account]").AttrOr("value", "") != "oscar" {
		t.Error("a bad time loses the rest of the filter")
	}

	res := a.get("/audit.csv?account=" + operator.name)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("export content type %q", ct)
	}
	body, _ := io.ReadAll(res.Body)
	recs, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	if err != nil || len(recs) != 4 {
		t.Fatalf("export: %d records, %v", len(recs), err)
	}
	if !strings.Contains(string(body), `'=HYPERLINK`) {
		t.Error("a formula-like name is not neutralised in the CSV")
	}

	// Restart on the same database: the trail is still there.
	r.c.stop()
	c2 := startConsole(t, consoleOpts{dataDir: dir})
	a2 := newBrowser(t, c2.URL)
	a2.login(admin)
	if n := a2.page("/audit?account="+operator.name, http.StatusOK).Find("[data-test=audit-entry]").Length(); n != 3 {
		t.Errorf("after a restart %d entries, want 3", n)
	}
	c2.stop()

	// Retention is configurable: a restart with a tiny retention prunes the old entries.
	c3 := startConsole(t, consoleOpts{dataDir: dir, args: []string{"-audit-retention", "1ms"}})
	a3 := newBrowser(t, c3.URL)
	a3.login(admin)
	eventually(t, 10*time.Second, "old entries pruned", func() bool {
		return a3.page("/audit?account="+operator.name, http.StatusOK).Find("[data-test=audit-entry]").Length() == 0
	})
}
