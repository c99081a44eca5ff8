package auth

import (
	"bufio"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// hashCost is the bcrypt cost HashPassword uses: about a quarter of a second per login on the
// small machines the console runs on.
const hashCost = 12

// maxUsername bounds usernames in the accounts file and at login, so a guessed name cannot
// grow the throttle's memory without limit.
const maxUsername = 64

// ErrBadCredentials is returned by Login and Authenticate for an unknown username or a wrong
// password alike, so the answer does not reveal which names exist.
var ErrBadCredentials = errors.New("wrong username or password")

// Account is one person who may sign in. The password hash never leaves the package.
type Account struct {
	Username string
	Role     Role
	hash     []byte
}

// credential names the password an account signs in with, without revealing it: a digest of
// its bcrypt hash. Sessions keep it, so that changing a password in the accounts file ends
// the sessions signed in with the old one.
func (a Account) credential() string {
	if len(a.hash) == 0 {
		return ""
	}
	sum := sha256.Sum256(a.hash)
	return hex.EncodeToString(sum[:16])
}

// UsersConfig configures NewUsers.
type UsersConfig struct {
	// File is the accounts file: one "username:role:bcrypt-hash" a line. Empty means none,
	// which is allowed only in demo mode.
	File string
	// Demo adds the built-in accounts demo/demo (admin), operator/operator and viewer/viewer.
	// An account of the same name in File wins.
	Demo bool
	// Now is the clock of the login throttle; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger // nil discards
}

// Users is the set of accounts that may sign in, with a login throttle per username and
// address. It is safe for concurrent use; Reload swaps the set atomically.
//
// NOTE: an unknown username is checked against a dummy hash of the highest cost in the file, so
// it takes as long as a known one. Accounts hashed at a lower cost than the others answer
// faster and can be told apart by timing; hash every account with HashPassword to avoid that.
type Users struct {
	file     string
	demo     []Account
	log      *slog.Logger
	throttle *throttle
	compare  func(hash, password []byte) error // replaced in tests to see which hash was used

	mu       sync.RWMutex
	accounts map[string]Account
	dummy    []byte
}

// NewUsers reads the accounts file (when configured) and adds the demo accounts (in demo mode).
func NewUsers(cfg UsersConfig) (*Users, error) {
	if cfg.File == "" && !cfg.Demo {
		return nil, errors.New("users: no accounts file configured and demo mode is off")
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	u := &Users{
		file:     cfg.File,
		log:      loggerOrDiscard(cfg.Logger),
		throttle: newThrottle(now),
		compare:  bcrypt.CompareHashAndPassword,
	}
	if cfg.Demo {
		demo, err := demoAccounts()
		if err != nil {
			return nil, err
		}
		u.demo = demo
	}
	if err := u.Reload(); err != nil {
		return nil, err
	}
	return u, nil
}

// demoAccounts hashes the well-known demo passwords. They are public, so the default bcrypt
// cost is enough and keeps a demo start quick.
func demoAccounts() ([]Account, error) {
	specs := []struct {
		name string
		role Role
	}{{"demo", RoleAdmin}, {"operator", RoleOperator}, {"viewer", RoleViewer}}
	out := make([]Account, 0, len(specs))
	for _, s := range specs {
		pw := s.name
		h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
		if err != nil {
			return nil, fmt.Errorf("hash demo account %s: %w", s.name, err)
		}
		out = append(out, Account{Username: s.name, Role: s.role, hash: h})
	}
	return out, nil
}

// Reload reads the accounts file again. On any error the previous accounts stay in force.
func (u *Users) Reload() error {
	accounts := make(map[string]Account)
	for _, a := range u.demo {
		accounts[a.Username] = a
	}
	if u.file != "" {
		fromFile, err := u.readFile()
		if err != nil {
			return err
		}
		for _, a := range fromFile {
			accounts[a.Username] = a
		}
	}
	dummy, err := dummyHash(accounts)
	if err != nil {
		return err
	}

	u.mu.Lock()
	u.accounts = accounts
	u.dummy = dummy
	u.mu.Unlock()
	u.log.Info("accounts loaded", "accounts", len(accounts))
	if len(accounts) == 0 {
		u.log.Warn("no accounts: nobody can sign in until the accounts file has one")
	}
	return nil
}

func (u *Users) readFile() ([]Account, error) {
	f, err := os.Open(u.file)
	if err != nil {
		return nil, fmt.Errorf("read accounts: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Mode().Perm()&0o077 != 0 {
		u.log.Warn("accounts file is readable by other users", "path", u.file)
	}
	accounts, err := ParseAccounts(f)
	if err != nil {
		return nil, fmt.Errorf("read accounts %s: %w", u.file, err)
	}
	return accounts, nil
}

// dummyHash makes a hash of a random password at the highest cost in use (the default cost
// when there are no accounts), for unknown users.
func dummyHash(accounts map[string]Account) ([]byte, error) {
	cost := 0
	for _, a := range accounts {
		if c, err := bcrypt.Cost(a.hash); err == nil && c > cost {
			cost = c
		}
	}
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	h, err := bcrypt.GenerateFromPassword([]byte(rand.Text()), cost)
	if err != nil {
		return nil, fmt.Errorf("make dummy hash: %w", err)
	}
	return h, nil
}

// Lookup returns the account named username, if it exists now.
func (u *Users) Lookup(username string) (Account, bool) {
	u.mu.RLock()
	defer u.mu.RUnlock()
	a, ok := u.accounts[username]
	return a, ok
}

// Accounts returns every account, sorted by name, without their hashes.
func (u *Users) Accounts() []Account {
	u.mu.RLock()
	out := make([]Account, 0, len(u.accounts))
	for _, a := range u.accounts {
		out = append(out, Account{Username: a.Username, Role: a.Role})
	}
	u.mu.RUnlock()
	slices.SortFunc(out, func(a, b Account) int { return strings.Compare(a.Username, b.Username) })
	return out
}

// Authenticate checks a username and password without throttling. An unknown username is
// compared against a dummy hash, so it costs the same time as a known one.
func (u *Users) Authenticate(username, password string) (Account, error) {
	u.mu.RLock()
	acct, ok := u.accounts[username]
	hash := u.dummy
	u.mu.RUnlock()
	if ok {
		hash = acct.hash
	}

	// bcrypt reads only the first 72 bytes; refuse longer passwords rather than accept a
	// password that merely starts right.
	err := u.compare(hash, []byte(password))
	if !ok || err != nil || len(password) > 72 {
		return Account{}, ErrBadCredentials
	}
	return Account{Username: acct.Username, Role: acct.Role}, nil
}

// Login checks a username and password from the client at addr, throttled per username and
// address: after 5 failed attempts the pair must wait 30 s, doubling with each further failure
// up to 15 min. A throttled attempt returns a *ThrottledError and checks nothing.
func (u *Users) Login(username, password, addr string) (Account, error) {
	key := throttleKey(username, addr)
	if wait := u.throttle.attempt(key); wait > 0 {
		return Account{}, &ThrottledError{RetryAfter: wait}
	}
	acct, err := u.Authenticate(username, password)
	if err != nil {
		return Account{}, err
	}
	u.throttle.reset(key)
	return acct, nil
}

// HashPassword returns the bcrypt hash of pw for the accounts file (pexops hash-password).
func HashPassword(pw string) (string, error) {
	switch {
	case pw == "":
		return "", errors.New("hash password: empty password")
	case len(pw) > 72:
		return "", errors.New("hash password: longer than 72 bytes, which bcrypt cannot check")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), hashCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// ParseAccounts reads an accounts file: one "username:role:hash" a line, where role is viewer,
// operator or admin and hash is a bcrypt hash ($2a$, $2b$ or $2y$). Lines starting with # and
// blank lines are ignored. Every bad line is reported with its number.
func ParseAccounts(r io.Reader) ([]Account, error) {
	var (
		accounts []Account
		errs     []error
		seen     = make(map[string]int)
	)
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff") // editors on Windows start files with a BOM
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		a, err := parseAccountLine(line)
		if err == nil && seen[a.Username] != 0 {
			err = fmt.Errorf("duplicate username %q (first on line %d)", a.Username, seen[a.Username])
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("line %d: %w", n, err))
			continue
		}
		seen[a.Username] = n
		accounts = append(accounts, a)
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return accounts, nil
}

func parseAccountLine(line string) (Account, error) {
	parts := strings.SplitN(line, ":", 3)
	if len(parts) != 3 {
		return Account{}, errors.New("want username:role:hash")
	}
	name, roleName, hash := parts[0], parts[1], parts[2]
	if !validUsername(name) {
		return Account{}, fmt.Errorf("invalid username %q (1-%d of a-z A-Z 0-9 . _ - @)",
			name, maxUsername)
	}
	role, err := ParseRole(roleName)
	if err != nil {
		return Account{}, err
	}
	if !isBcrypt(hash) {
		return Account{}, fmt.Errorf("password of %q is not a bcrypt hash "+
			"(make one with pexops hash-password)", name)
	}
	return Account{Username: name, Role: role, hash: []byte(hash)}, nil
}

func isBcrypt(hash string) bool {
	ok := false
	for _, p := range []string{"$2a$", "$2b$", "$2y$"} {
		ok = ok || strings.HasPrefix(hash, p)
	}
	if !ok {
		return false
	}
	_, err := bcrypt.Cost([]byte(hash))
	return err == nil && len(hash) == 60
}

func validUsername(s string) bool {
	if s == "" || len(s) > maxUsername {
		return false
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			strings.ContainsRune("._-@", r)
		if !ok {
			return false
		}
	}
	return true
}
