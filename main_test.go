package main

import (
	"bytes"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestConfigFlagsWinOverEnvironment(t *testing.T) {
	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want func(Config) Config
	}{
		{"defaults are demo mode on loopback", nil, nil, func(c Config) Config {
			c.Addr, c.Demo, c.PexipUser, c.DBPath, c.PollFast = "127.0.0.1:8080", true, "admin", "pexops.db", 2*time.Second
			return c
		}},
		{"environment fills in", nil, map[string]string{
			"PEXOPS_ADDR": "127.0.0.1:9000", "PEXOPS_PEXIP_URL": "https://mgr.example.com",
			"PEXOPS_PEXIP_PASSWORD": "secret", "PEXOPS_USERS_FILE": "/etc/pexops/users",
			"PEXOPS_POLL_INTERVAL": "5s", "PEXOPS_ALLOWED_ORIGINS": "https://a.example, https://b.example",
		}, func(c Config) Config {
			c.Addr, c.PexipURL, c.PexipPassword, c.UsersFile, c.PollFast = "127.0.0.1:9000", "https://mgr.example.com", "secret", "/etc/pexops/users", 5*time.Second
			c.AllowedOrigins = []string{"https://a.example", "https://b.example"}
			return c
		}},
		{"a flag wins over its variable", []string{"-addr", "127.0.0.1:7000", "-poll-interval", "1s"},
			map[string]string{"PEXOPS_ADDR": "127.0.0.1:9000", "PEXOPS_POLL_INTERVAL": "5s"},
			func(c Config) Config {
				c.Addr, c.Demo, c.PollFast = "127.0.0.1:7000", true, time.Second
				return c
			}},
		{"password file wins over the variable, newline trimmed",
			[]string{"-pexip-url", "https://mgr.example.com", "-pexip-password-file", pwFile, "-users-file", "u"},
			map[string]string{"PEXOPS_PEXIP_PASSWORD": "from-env"},
			func(c Config) Config {
				c.PexipURL, c.PexipPassword, c.UsersFile = "https://mgr.example.com", "from-file", "u"
				return c
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseConfig(tt.args, envOf(tt.env), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			base, _ := parseConfig(nil, envOf(nil), io.Discard)
			base.Demo = false
			want := tt.want(base)
			if want.PexipURL == "" {
				want.Demo = true
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConfigRefusesUnsafeOrIncompleteSetups(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"real node without credentials", []string{"-pexip-url", "https://mgr", "-users-file", "u"}, nil, "needs credentials"},
		{"real node without accounts", []string{"-pexip-url", "https://mgr"}, map[string]string{"PEXOPS_PEXIP_PASSWORD": "x"}, "-users-file is required"},
		{"oauth without key", []string{"-pexip-url", "https://mgr", "-users-file", "u", "-pexip-oauth-client-id", "c"}, nil, "key-file is required"},
		{"zero poll interval", []string{"-poll-interval", "0s"}, nil, "must be positive"},
		{"no password flag exists", []string{"-pexip-password", "x"}, nil, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseConfig(tt.args, envOf(tt.env), io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestAnnounceNamesAReachableURL(t *testing.T) {
	var b bytes.Buffer
	announce(&b, &net.TCPAddr{IP: net.IPv4zero, Port: 8080}, Config{Demo: true})
	out := b.String()
	if !strings.Contains(out, "pexops console: http://127.0.0.1:8080\n") || !strings.Contains(out, "demo / demo") {
		t.Errorf("announcement = %q", out)
	}
}

// The Dockerfile cannot be built here (no Docker engine); check what can be checked.
func TestDockerfileBuildsTheStaticBinaryIntoAShellLessImage(t *testing.T) {
	b, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	stages := regexp.MustCompile(`(?m)^FROM\s+(\S+)`).FindAllStringSubmatch(df, -1)
	if len(stages) < 2 || stages[len(stages)-1][1] != "scratch" {
		t.Errorf("final stage should be scratch (no shell), stages: %v", stages)
	}
	for _, want := range []string{"CGO_ENABLED=0 go build -trimpath", "go tool templ generate -check",
		"npm ci", "htmx.org/dist/htmx.min.js", "htmx-ext-ws/dist/ws.js", "USER 65532"} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	if !regexp.MustCompile(`(?m)^ENTRYPOINT \["/pexops"`).MatchString(df) {
		t.Error("ENTRYPOINT must be exec form: the runtime image has no shell")
	}
	mk, _ := os.ReadFile("Makefile")
	if !strings.Contains(string(mk), "CGO_ENABLED=0 $(GO) build -trimpath") {
		t.Error("make build and the Dockerfile no longer build the binary the same way")
	}
}

func TestHashPasswordRefusesBlankAndShortPasswords(t *testing.T) {
	tests := []struct {
		name, in, wantErr string
	}{
		{"nothing", "", "standard input"},
		{"only spaces", "          \n", "standard input"},
		{"too short", "short\n", "at least 10"},
		{"good", "a-long-enough-password\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := runHashPassword(strings.NewReader(tt.in), &out)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error = %v, want one with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !strings.HasPrefix(out.String(), "$2") {
				t.Errorf("hash-password = %q, %v; want a bcrypt hash", out.String(), err)
			}
		})
	}
}
