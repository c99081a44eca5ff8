package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is everything pexops reads at start: each flag has an environment fallback, and the
// README's configuration table lists them all.
type Config struct {
	Addr           string
	PexipURL       string
	PexipUser      string
	PexipPassword  string // from PEXOPS_PEXIP_PASSWORD or -pexip-password-file, never a flag
	PexipCAFile    string
	PexipInsecure  bool
	OAuthClientID  string
	OAuthKeyFile   string
	UsersFile      string
	DBPath         string
	SecureCookies  bool
	AllowedOrigins []string
	TrustedProxies []string
	LogLevel       string
	LogFormat      string
	PollFast       time.Duration
	PollNodes      time.Duration
	AuditRetention time.Duration
	CommandTimeout time.Duration
	SimSeed        int64
	SimServices    int
	Demo           bool // no PexipURL: run on the built-in simulator
}

// parseConfig reads flags, falling back to PEXOPS_* environment variables.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	var cfg Config
	var passwordFile, origins, proxies string
	fs := flag.NewFlagSet("pexops", flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	fs.StringVar(&cfg.Addr, "addr", env("PEXOPS_ADDR", "127.0.0.1:8080"), "address the console listens on")
	fs.StringVar(&cfg.PexipURL, "pexip-url", env("PEXOPS_PEXIP_URL", ""), "Management Node URL (https://mgr.example.com); empty runs the built-in simulator")
	fs.StringVar(&cfg.PexipUser, "pexip-user", env("PEXOPS_PEXIP_USER", "admin"), "Management API username")
	fs.StringVar(&passwordFile, "pexip-password-file", env("PEXOPS_PEXIP_PASSWORD_FILE", ""), "file holding the Management API password")
	fs.StringVar(&cfg.PexipCAFile, "pexip-ca-file", env("PEXOPS_PEXIP_CA_FILE", ""), "PEM CA bundle that signed the Management Node's certificate")
	fs.BoolVar(&cfg.PexipInsecure, "pexip-insecure-skip-verify", envBool(getenv, "PEXOPS_PEXIP_INSECURE_SKIP_VERIFY"), "do not verify the Management Node's certificate (unsafe)")
	fs.StringVar(&cfg.OAuthClientID, "pexip-oauth-client-id", env("PEXOPS_PEXIP_OAUTH_CLIENT_ID", ""), "OAuth2 client id (instead of Basic auth)")
	fs.StringVar(&cfg.OAuthKeyFile, "pexip-oauth-key-file", env("PEXOPS_PEXIP_OAUTH_KEY_FILE", ""), "OAuth2 client private key (EC P-256 PEM)")
	fs.StringVar(&cfg.UsersFile, "users-file", env("PEXOPS_USERS_FILE", ""), "accounts file: username:role:bcrypt-hash a line")
	fs.StringVar(&cfg.DBPath, "db", env("PEXOPS_DB", "pexops.db"), "SQLite database for sessions, board tokens and the audit trail")
	fs.BoolVar(&cfg.SecureCookies, "secure-cookies", envBool(getenv, "PEXOPS_SECURE_COOKIES"), "mark session cookies Secure (serve over or behind TLS)")
	fs.StringVar(&origins, "allowed-origins", env("PEXOPS_ALLOWED_ORIGINS", ""), "comma-separated extra origins allowed to open websockets (behind a proxy)")
	fs.StringVar(&proxies, "trusted-proxies", env("PEXOPS_TRUSTED_PROXIES", ""), "comma-separated CIDRs of proxies whose X-Forwarded-For is believed")
	fs.StringVar(&cfg.LogLevel, "log-level", env("PEXOPS_LOG_LEVEL", "info"), "debug, info, warn or error")
	fs.StringVar(&cfg.LogFormat, "log-format", env("PEXOPS_LOG_FORMAT", "text"), "text or json")
	fs.DurationVar(&cfg.PollFast, "poll-interval", envDuration(getenv, "PEXOPS_POLL_INTERVAL", 2*time.Second), "how often conferences and participants are read")
	fs.DurationVar(&cfg.PollNodes, "poll-nodes-interval", envDuration(getenv, "PEXOPS_POLL_NODES_INTERVAL", 10*time.Second), "how often nodes and locations are read")
	fs.DurationVar(&cfg.AuditRetention, "audit-retention", envDuration(getenv, "PEXOPS_AUDIT_RETENTION", 365*24*time.Hour), "how long audit entries are kept")
	fs.DurationVar(&cfg.CommandTimeout, "command-timeout", envDuration(getenv, "PEXOPS_COMMAND_TIMEOUT", 15*time.Second), "how long a moderation command may wait for the Management Node")
	fs.Int64Var(&cfg.SimSeed, "sim-seed", envInt(getenv, "PEXOPS_SIM_SEED", 1), "seed of the built-in simulator's demo platform")
	fs.IntVar(&cfg.SimServices, "sim-services", int(envInt(getenv, "PEXOPS_SIM_SERVICES", 30)), "services in the built-in simulator")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	cfg.AllowedOrigins = splitList(origins)
	cfg.TrustedProxies = splitList(proxies)
	cfg.Demo = cfg.PexipURL == ""
	cfg.PexipPassword = getenv("PEXOPS_PEXIP_PASSWORD")
	if passwordFile != "" {
		b, err := os.ReadFile(passwordFile)
		if err != nil {
			return cfg, fmt.Errorf("read password file: %w", err)
		}
		cfg.PexipPassword = strings.TrimRight(string(b), "\r\n")
	}
	return cfg, cfg.validate()
}

func (c Config) validate() error {
	switch {
	case !c.Demo && c.PexipPassword == "" && c.OAuthClientID == "":
		return errors.New("a Management Node needs credentials: set PEXOPS_PEXIP_PASSWORD, -pexip-password-file or OAuth2")
	case !c.Demo && c.UsersFile == "":
		return errors.New("-users-file is required outside demo mode (create one with `pexops hash-password`)")
	case c.OAuthClientID != "" && c.OAuthKeyFile == "":
		return errors.New("-pexip-oauth-key-file is required with -pexip-oauth-client-id")
	case c.PollFast <= 0 || c.PollNodes <= 0:
		return errors.New("poll intervals must be positive")
	case c.CommandTimeout <= 0:
		return errors.New("-command-timeout must be positive")
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func envBool(getenv func(string) string, name string) bool {
	v, _ := strconv.ParseBool(getenv(name))
	return v
}

func envDuration(getenv func(string) string, name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(getenv(name)); err == nil {
		return d
	}
	return def
}

func envInt(getenv func(string) string, name string, def int64) int64 {
	if n, err := strconv.ParseInt(getenv(name), 10, 64); err == nil {
		return n
	}
	return def
}
