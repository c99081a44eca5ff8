// Command pexops is an operations console for Pexip Infinity: live conferences and
// moderation, service configuration, call history and a wall board, over the Management API.
//
//	pexops [flags]             the console (on the built-in simulator unless -pexip-url is set)
//	pexops sim [flags]         the Management Node simulator alone, for API development
//	pexops hash-password       a bcrypt hash for the accounts file, password read from stdin
package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"pexops/auth"
	"pexops/pexip/sim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "pexops:", err)
		}
		os.Exit(1)
	}
}

// run dispatches to a subcommand; without one it runs the console.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "sim":
			return runSim(ctx, args[1:], stdout, stderr)
		case "hash-password":
			return runHashPassword(stdin, stdout)
		}
	}
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	log, err := newLogger(cfg.LogLevel, cfg.LogFormat, stderr)
	if err != nil {
		return err
	}
	return runConsole(ctx, cfg, log, stdout)
}

func newLogger(level, format string, w io.Writer) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: %w", level, err)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log format %q: want text or json", format)
}

// runSim serves the Management Node simulator alone until ctx ends. It listens on loopback
// only unless -allow-remote is given; faults and OAuth2 clients are set by flag.
func runSim(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("pexops sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:9443", "address to listen on (loopback unless -allow-remote)")
	allowRemote := fs.Bool("allow-remote", false, "allow an -addr other machines can reach")
	tlsOn := fs.Bool("tls", true, "serve HTTPS with a generated self-signed certificate")
	certOut := fs.String("cert-out", "", "write the generated certificate (PEM) here, for clients' CA file")
	seed := fs.Int64("seed", 1, "seed of the demo platform")
	services := fs.Int("services", 30, "services to create")
	user := fs.String("user", "admin", "Basic auth username")
	password := fs.String("password", "pexops-sim", "Basic auth password (a simulator's, not a secret)")
	latency := fs.Duration("latency", 0, "delay every request by this long")
	errorRate := fs.Float64("error-rate", 0, "fraction of requests (0..1) answered with a 500")
	rateLimit := fs.Int("rate-limit", 0, "requests per minute before 429s (0 = no limit)")
	clients := map[string]*ecdsa.PublicKey{}
	fs.Func("oauth-client", "OAuth2 client as id=path/to/public-key.pem (EC P-256); repeatable",
		func(spec string) error {
			id, key, err := sim.ParseOAuthClient(spec)
			if err == nil {
				clients[id] = key
			}
			return err
		})
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := sim.CheckLoopback(*addr); err != nil && !*allowRemote {
		return fmt.Errorf("%w (give -allow-remote to listen there)", err)
	}
	if *errorRate < 0 || *errorRate > 1 || *rateLimit < 0 || *latency < 0 {
		return errors.New("-error-rate must be within 0..1, -rate-limit and -latency not negative")
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	srv, err := sim.Listen(ctx, *addr, sim.Options{Seed: *seed, Demo: true, Services: *services,
		Users: map[string]string{*user: *password}, OAuthClients: clients, Logger: log}, *tlsOn)
	if err != nil {
		return err
	}
	defer srv.Close()
	faults := srv.Sim.Faults()
	faults.SetLatency(*latency)
	faults.SetErrorRate(*errorRate)
	faults.SetRateLimit(*rateLimit, time.Minute)
	if *certOut != "" && len(srv.CertPEM) > 0 {
		if err := os.WriteFile(*certOut, srv.CertPEM, 0o644); err != nil {
			return fmt.Errorf("write certificate: %w", err)
		}
	}
	fmt.Fprintf(stdout, "Pexip Management Node simulator at %s/api/admin/ (user %s)\n", srv.URL, *user)
	<-ctx.Done()
	return nil
}

// runHashPassword prints the bcrypt hash of the first line of stdin.
func runHashPassword(stdin io.Reader, stdout io.Writer) error {
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	pw := strings.TrimRight(line, "\r\n")
	switch {
	case strings.TrimSpace(pw) == "":
		return errors.New("give the password on standard input")
	case len(pw) < minPasswordLen:
		return fmt.Errorf("a password needs at least %d characters", minPasswordLen)
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, hash)
	return nil
}

// minPasswordLen is the shortest password hash-password accepts for a console account.
const minPasswordLen = 10

// shutdownGrace is how long in-flight requests get when pexops is asked to stop.
const shutdownGrace = 10 * time.Second
