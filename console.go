package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"pexops/auth"
	"pexops/handlers"
	"pexops/live"
	"pexops/pexip"
	"pexops/pexip/sim"
	"pexops/static"
)

// runConsole wires the console together, serves it until ctx ends, then shuts down cleanly:
// sockets closed with a code pages reconnect on, requests drained, the store closed.
func runConsole(ctx context.Context, cfg Config, log *slog.Logger, stdout io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	pcfg, stopSim, err := pexipConfig(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer stopSim()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics, err := live.NewMetrics(reg)
	if err != nil {
		return err
	}
	pcfg.Observe = metrics.ObserveRequest
	// The poller backs off by itself (honouring Retry-After) and a page shows a failed read
	// as such, so the client does not retry inside the single request slot the node gets.
	pcfg.Retries = -1
	client, err := pexip.New(pcfg)
	if err != nil {
		return err
	}
	defer client.Close()

	deps, closeStore, err := authDeps(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeStore()
	assets, err := static.New()
	if err != nil {
		return err
	}
	poller := live.NewPoller(client, live.PollerConfig{
		Conferences: cfg.PollFast, Participants: cfg.PollFast, MediaStreams: cfg.PollFast, Nodes: cfg.PollNodes,
	}, log, metrics)
	deps.Log, deps.Pexip, deps.Poller, deps.Metrics, deps.Registry, deps.Assets = log, client, poller, metrics, reg, assets
	deps.Hub = live.NewHub(log, metrics)
	h := handlers.New(deps, handlers.Config{Demo: cfg.Demo, AllowedOrigins: cfg.AllowedOrigins,
		StaleAfter: max(15*time.Second, 5*cfg.PollFast), CommandTimeout: cfg.CommandTimeout})
	e := h.Routes(ipExtractor(cfg.TrustedProxies))

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	go poller.Run(ctx)
	go h.Broadcaster().Run(ctx, poller.Batches())
	go housekeeping(ctx, deps, cfg.AuditRetention, log)
	go reloadOnHangup(ctx, deps.Users, log)

	srv := &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	announce(stdout, ln.Addr(), cfg)

	select {
	case <-ctx.Done():
	case err := <-serveErr:
		return err
	}
	log.Info("shutting down")
	sctx, scancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer scancel()
	h.Shutdown(sctx)
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// pexipConfig is the client configuration: a real Management Node, or the built-in simulator
// started on a loopback port over TLS, so demo mode uses the same verified-TLS path as
// production.
func pexipConfig(ctx context.Context, cfg Config, log *slog.Logger) (pexip.Config, func(), error) {
	pc := pexip.Config{URL: cfg.PexipURL, Username: cfg.PexipUser, Password: cfg.PexipPassword,
		CAFile: cfg.PexipCAFile, InsecureSkipVerify: cfg.PexipInsecure, Logger: log}
	if cfg.OAuthClientID != "" {
		key, err := os.ReadFile(cfg.OAuthKeyFile)
		if err != nil {
			return pc, nil, fmt.Errorf("read OAuth2 key: %w", err)
		}
		pc.OAuth = &pexip.OAuthConfig{ClientID: cfg.OAuthClientID, PrivateKeyPEM: key}
	}
	if !cfg.Demo {
		if cfg.PexipInsecure {
			log.Warn("TLS verification towards the Management Node is OFF", "pexip_url", cfg.PexipURL)
		}
		return pc, func() {}, nil
	}

	const simPassword = "pexops-sim"
	srv, err := sim.Listen(ctx, "127.0.0.1:0", sim.Options{Seed: cfg.SimSeed, Demo: true, Services: cfg.SimServices,
		Users: map[string]string{"admin": simPassword}, Logger: log.With("component", "sim")}, true)
	if err != nil {
		return pc, nil, fmt.Errorf("start simulator: %w", err)
	}
	dir, err := os.MkdirTemp("", "pexops-sim-")
	if err != nil {
		srv.Close()
		return pc, nil, err
	}
	caFile := filepath.Join(dir, "sim-ca.pem")
	if err := os.WriteFile(caFile, srv.CertPEM, 0o600); err != nil {
		srv.Close()
		return pc, nil, err
	}
	pc.URL, pc.Username, pc.Password, pc.CAFile, pc.InsecureSkipVerify = srv.URL, "admin", simPassword, caFile, false
	stop := func() { srv.Close(); os.RemoveAll(dir) }
	return pc, stop, nil
}

// authDeps opens the store and builds accounts, sessions, the audit trail and board tokens.
func authDeps(ctx context.Context, cfg Config, log *slog.Logger) (handlers.Deps, func(), error) {
	var d handlers.Deps
	store, err := auth.Open(ctx, auth.StoreConfig{Path: cfg.DBPath, Logger: log})
	if err != nil {
		return d, nil, err
	}
	closeStore := func() { store.Close() }
	users, err := auth.NewUsers(auth.UsersConfig{File: cfg.UsersFile, Demo: cfg.Demo, Logger: log})
	if err != nil {
		closeStore()
		return d, nil, err
	}
	sessions, err := auth.NewSessions(ctx, auth.SessionsConfig{Store: store, Users: users, Secure: cfg.SecureCookies, Logger: log})
	if err != nil {
		closeStore()
		return d, nil, err
	}
	d.Users, d.Sessions, d.Audit, d.Boards = users, sessions, auth.NewAudit(store), auth.NewBoardTokens(store)
	return d, closeStore, nil
}

// housekeeping prunes expired sessions and old audit entries once an hour.
func housekeeping(ctx context.Context, d handlers.Deps, retention time.Duration, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if _, err := d.Sessions.PruneExpired(ctx); err != nil && ctx.Err() == nil {
			log.Warn("prune sessions", "error", err)
		}
		if _, err := d.Audit.Prune(ctx, retention); err != nil && ctx.Err() == nil {
			log.Warn("prune audit", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// reloadOnHangup re-reads the accounts file on SIGHUP; a bad file keeps the old accounts.
func reloadOnHangup(ctx context.Context, users *auth.Users, log *slog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			if err := users.Reload(); err != nil {
				log.Error("reload accounts", "error", err)
			} else {
				log.Info("accounts reloaded")
			}
		}
	}
}

// ipExtractor believes X-Forwarded-For only from configured proxies; otherwise the peer
// address is the client, so nobody can spoof the address in the audit trail or dodge the
// login throttle with a header.
func ipExtractor(proxies []string) echo.IPExtractor {
	if len(proxies) == 0 {
		return echo.ExtractIPDirect()
	}
	var opts []echo.TrustOption
	for _, p := range proxies {
		if _, n, err := net.ParseCIDR(p); err == nil {
			opts = append(opts, echo.TrustIPRange(n))
		}
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// announce prints where the console is and, in demo mode, how to sign in.
func announce(w io.Writer, addr net.Addr, cfg Config) {
	host, port, _ := net.SplitHostPort(addr.String())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	fmt.Fprintf(w, "pexops console: http://%s\n", net.JoinHostPort(host, port))
	if cfg.Demo {
		fmt.Fprintln(w, "demo mode: built-in Management Node simulator; sign in as demo / demo (admin), operator / operator or viewer / viewer")
	} else {
		fmt.Fprintf(w, "Management Node: %s\n", cfg.PexipURL)
	}
}
