package sim

import (
	"context"
	"net/http/httptest"
	"sort"
	"testing"

	"pexops/pexip"
)

// StartTest starts a simulator on 127.0.0.1:0 for the length of a test and returns it with
// a real client pointed at it, authenticated as the first configured user (admin by
// default). With a real clock the platform steps in the background; everything stops when
// the test ends.
func StartTest(t testing.TB, opts Options) (*Sim, *pexip.Client) {
	t.Helper()
	s := New(opts)
	srv := httptest.NewServer(s)
	ctx, cancel := context.WithCancel(context.Background())
	if opts.Clock == nil {
		go s.Run(ctx)
	}
	t.Cleanup(func() {
		cancel()
		srv.Close()
	})
	user, pass := firstUser(s.opts.Users)
	c, err := pexip.New(pexip.Config{URL: srv.URL, Username: user, Password: pass})
	if err != nil {
		t.Fatalf("simulator client: %v", err)
	}
	return s, c
}

func firstUser(users map[string]string) (string, string) {
	if p, ok := users[DefaultUser]; ok {
		return DefaultUser, p
	}
	names := make([]string, 0, len(users))
	for u := range users {
		names = append(names, u)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return "", ""
	}
	return names[0], users[names[0]]
}
