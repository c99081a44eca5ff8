package auth

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/bcrypt"
)

func TestParseAccounts(t *testing.T) {
	h := testHash(t, "secret")
	tests := []struct {
		name    string
		file    string
		want    []string // "username/role"
		wantErr []string // substrings of the error, one per bad line
	}{
		{
			name: "comments, blanks and every role",
			file: "# accounts\n\nalice:admin:" + h + "\n  bob:operator:" + h + "  \n" +
				"carol.v@noc:viewer:" + h + "\n",
			want: []string{"alice/admin", "bob/operator", "carol.v@noc/viewer"},
		},
		{name: "2y and 2b hashes", file: "a:viewer:$2y" + h[3:] + "\nb:viewer:$2b" + h[3:],
			want: []string{"a/viewer", "b/viewer"}},
		{name: "empty file", file: "# nobody yet\n"},
		{name: "byte order mark of a Windows editor", file: "\ufeffalice:admin:" + h + "\n", want: []string{"alice/admin"}},
		{name: "too few fields", file: "# c\nalice:admin\n", wantErr: []string{"line 2: want username:role:hash"}},
		{name: "unknown role", file: "alice:root:" + h, wantErr: []string{`line 1: unknown role "root"`}},
		{name: "plain password", file: "alice:admin:hunter2", wantErr: []string{"line 1: password of \"alice\" is not a bcrypt hash"}},
		{name: "md5 crypt", file: "alice:admin:$1$abc$abcdefghijklmnopqrstuv", wantErr: []string{"line 1: password"}},
		{name: "truncated bcrypt", file: "alice:admin:" + h[:40], wantErr: []string{"line 1: password"}},
		{name: "bad username", file: "al ice:admin:" + h, wantErr: []string{`line 1: invalid username "al ice"`}},
		{name: "empty username", file: ":admin:" + h, wantErr: []string{`line 1: invalid username ""`}},
		{
			name:    "duplicate, and every bad line reported",
			file:    "alice:admin:" + h + "\nbob:x:" + h + "\nalice:viewer:" + h + "\n",
			wantErr: []string{`line 2: unknown role "x"`, `line 3: duplicate username "alice" (first on line 1)`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			accounts, err := ParseAccounts(strings.NewReader(tt.file))
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("ParseAccounts() accepted a bad file: %v", accounts)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not mention %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseAccounts() error = %v", err)
			}
			var got []string
			for _, a := range accounts {
				got = append(got, a.Username+"/"+a.Role.String())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("accounts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRoleAllows(t *testing.T) {
	tests := []struct {
		role, want Role
		allowed    bool
	}{
		{RoleViewer, RoleViewer, true},
		{RoleViewer, RoleOperator, false},
		{RoleOperator, RoleViewer, true},
		{RoleOperator, RoleAdmin, false},
		{RoleAdmin, RoleOperator, true},
		{RoleNone, RoleNone, false},
		{RoleNone, RoleViewer, false},
	}
	for _, tt := range tests {
		if got := tt.role.Allows(tt.want); got != tt.allowed {
			t.Errorf("%v.Allows(%v) = %v, want %v", tt.role, tt.want, got, tt.allowed)
		}
	}
}

func newTestUsers(t *testing.T, demo bool) (*Users, *fakeClock, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "accounts")
	writeAccounts(t, path, testUsers)
	clock := newFakeClock()
	u, err := NewUsers(UsersConfig{File: path, Demo: demo, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return u, clock, path
}

func TestDemoAccountsOnlyInDemoMode(t *testing.T) {
	demo := map[string]string{"demo": "admin", "operator": "operator", "viewer": "viewer"}
	for _, on := range []bool{false, true} {
		u, _, _ := newTestUsers(t, on)
		for name, role := range demo {
			acct, err := u.Login(name, name, "192.0.2.1")
			if !on {
				if !errors.Is(err, ErrBadCredentials) {
					t.Errorf("demo off: Login(%s) = %v, %v; want ErrBadCredentials", name, acct, err)
				}
				continue
			}
			if err != nil || acct.Role.String() != role {
				t.Errorf("demo on: Login(%s) = %v, %v; want role %s", name, acct, err, role)
			}
		}
		// The file's accounts work either way.
		if _, err := u.Login("ada", "ada-pw", "192.0.2.1"); err != nil {
			t.Errorf("demo %v: file account refused: %v", on, err)
		}
	}
	if _, err := NewUsers(UsersConfig{}); err == nil {
		t.Error("NewUsers without a file or demo mode succeeded")
	}
}

func TestLogin(t *testing.T) {
	u, _, _ := newTestUsers(t, false)
	tests := []struct {
		name, user, pw string
		want           Account
		wantErr        error
	}{
		{"operator", "otto", "otto-pw", Account{Username: "otto", Role: RoleOperator}, nil},
		{"admin", "ada", "ada-pw", Account{Username: "ada", Role: RoleAdmin}, nil},
		{"wrong password", "ada", "otto-pw", Account{}, ErrBadCredentials},
		{"empty password", "ada", "", Account{}, ErrBadCredentials},
		{"unknown user", "mallory", "ada-pw", Account{}, ErrBadCredentials},
		{"name case matters", "Ada", "ada-pw", Account{}, ErrBadCredentials},
		{"72-byte prefix is not enough", "ada", "ada-pw" + strings.Repeat("x", 80), Account{}, ErrBadCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := u.Login(tt.user, tt.pw, "192.0.2.1")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Login() error = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(Account{})); diff != "" {
				t.Errorf("Login() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoginThrottle(t *testing.T) {
	u, clock, _ := newTestUsers(t, false)
	const addr = "198.51.100.7"
	for i := range 5 {
		if _, err := u.Login("ada", "guess", addr); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("attempt %d: %v, want ErrBadCredentials", i+1, err)
		}
	}

	// Locked: even the right password is refused, with the wait.
	_, err := u.Login("ada", "ada-pw", addr)
	var te *ThrottledError
	if !errors.As(err, &te) || te.RetryAfter != 30*time.Second || !errors.Is(err, ErrThrottled) {
		t.Fatalf("6th attempt: %v, want a 30 s ThrottledError", err)
	}
	if want := "try again in 30 s"; !strings.Contains(err.Error(), want) {
		t.Errorf("message %q does not say %q", err, want)
	}

	// Other addresses and other names are not locked out.
	if _, err := u.Login("ada", "ada-pw", "198.51.100.8"); err != nil {
		t.Errorf("other address: %v", err)
	}
	if _, err := u.Login("otto", "otto-pw", addr); err != nil {
		t.Errorf("other user: %v", err)
	}

	// After the wait one more attempt goes through; failing it doubles the wait.
	clock.Advance(31 * time.Second)
	if _, err := u.Login("ada", "guess", addr); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("after the wait: %v, want ErrBadCredentials", err)
	}
	if _, err := u.Login("ada", "ada-pw", addr); !errors.As(err, &te) || te.RetryAfter != time.Minute {
		t.Fatalf("after a further failure: %v, want a 60 s wait", err)
	}

	// Success clears the count.
	clock.Advance(61 * time.Second)
	if _, err := u.Login("ada", "ada-pw", addr); err != nil {
		t.Fatalf("after the second wait: %v", err)
	}
	if _, err := u.Login("ada", "guess", addr); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("after a success the count starts again, got %v", err)
	}
}

// TestLoginThrottleParallel: guesses sent at once cannot all slip past while the first bcrypt
// comparison runs.
func TestLoginThrottleParallel(t *testing.T) {
	u, _, _ := newTestUsers(t, false)
	var compared atomic.Int32
	u.compare = func(hash, pw []byte) error {
		compared.Add(1)
		time.Sleep(5 * time.Millisecond)
		return bcrypt.ErrMismatchedHashAndPassword
	}
	var wg sync.WaitGroup
	for range 40 {
		wg.Go(func() { u.Login("ada", "guess", "203.0.113.9") })
	}
	wg.Wait()
	if got := compared.Load(); got != 5 {
		t.Errorf("%d passwords checked out of 40 parallel guesses, want 5", got)
	}
}

func TestUnknownUserUsesDummyHash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "accounts")
	// One account at cost 11: the dummy must cost the same, not the default 10.
	h, err := bcrypt.GenerateFromPassword([]byte("pw"), 11)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("ada:admin:"+string(h)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	u, err := NewUsers(UsersConfig{File: path})
	if err != nil {
		t.Fatal(err)
	}
	var used [][]byte
	u.compare = func(hash, pw []byte) error {
		used = append(used, hash)
		return bcrypt.CompareHashAndPassword(hash, pw)
	}

	if _, err := u.Authenticate("nobody", "pw"); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("unknown user: %v", err)
	}
	if len(used) != 1 {
		t.Fatalf("unknown user: %d hash comparisons, want 1", len(used))
	}
	if string(used[0]) == string(h) {
		t.Error("unknown user was compared against a real account's hash")
	}
	if cost, err := bcrypt.Cost(used[0]); err != nil || cost != 11 {
		t.Errorf("dummy hash cost = %d, %v; want 11 like the real accounts", cost, err)
	}
}

func TestReloadKeepsOldAccountsOnError(t *testing.T) {
	u, _, path := newTestUsers(t, false)
	writeAccounts(t, path, map[string]string{"nina": "operator"})
	if err := u.Reload(); err != nil {
		t.Fatal(err)
	}
	if _, ok := u.Lookup("ada"); ok {
		t.Error("ada still present after reload without her")
	}
	if a, ok := u.Lookup("nina"); !ok || a.Role != RoleOperator {
		t.Errorf("nina after reload = %v, %v", a, ok)
	}

	if err := os.WriteFile(path, []byte("nina:god:x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := u.Reload(); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("Reload() of a bad file = %v, want an error naming line 1", err)
	}
	if _, ok := u.Lookup("nina"); !ok {
		t.Error("a failed reload dropped the accounts in force")
	}
}

func TestHashPassword(t *testing.T) {
	h, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := ParseAccounts(strings.NewReader("ada:admin:" + h))
	if err != nil {
		t.Fatalf("hash not accepted in an accounts file: %v", err)
	}
	if err := bcrypt.CompareHashAndPassword(accounts[0].hash, []byte("correct horse")); err != nil {
		t.Errorf("hash does not match its password: %v", err)
	}
	for _, bad := range []string{"", strings.Repeat("x", 73)} {
		if _, err := HashPassword(bad); err == nil {
			t.Errorf("HashPassword(%d bytes) succeeded", len(bad))
		}
	}
}
