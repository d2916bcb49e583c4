package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"

	"strings"
	"time"

	"github.com/coffer-dev/coffer/internal/api"
	"github.com/coffer-dev/coffer/internal/auth"
)

// serverCommand serves the API from a data dir.
type serverCommand struct {
	stdout, stderr io.Writer
}

// serveFlags are the flags server and dev share.
type serveFlags struct {
	listen        string
	tlsCert       string
	tlsKey        string
	allowPlain    bool
	logLevel      string
	logFormat     string
	purgeInterval time.Duration
	auditRetain   time.Duration
	testing       testFlags // only in test builds; see clock_*.go
	root          rootFlags // server only: what unlocks the root key (rootkey.go)
}

func (f *serveFlags) register(fs *flag.FlagSet, defaultListen string) {
	fs.StringVar(&f.listen, "listen", defaultListen, "address to listen on (host:port)")
	fs.StringVar(&f.tlsCert, "tls-cert", "", "TLS certificate file (PEM); with --tls-key, serve HTTPS")
	fs.StringVar(&f.tlsKey, "tls-key", "", "TLS private key file (PEM)")
	fs.BoolVar(&f.allowPlain, "allow-plain-http", false, "serve plain HTTP on a non-loopback address (insecure: credentials and values cross the network in the clear)")
	fs.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.StringVar(&f.logFormat, "log-format", "text", "log format: text or json")
	fs.DurationVar(&f.purgeInterval, "purge-interval", time.Minute, "how often secrets past their recovery window are purged, and KMS keys' due rotations and deletions run")
	fs.DurationVar(&f.auditRetain, "audit-retention", 0, "how long audit events are kept, pruned every --purge-interval (0: forever)")
	f.testing.register(fs)
}

func (c *serverCommand) Run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("coffer server", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	dataDir := fs.String("data-dir", "", "data directory made by coffer init (required)")
	var sf serveFlags
	sf.register(fs, "")
	sf.root.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dataDir == "" {
		fs.Usage()
		return errors.New("server needs --data-dir (and --key-file, a passphrase or KMS credentials, as coffer init chose)")
	}
	if sf.listen == "" {
		cfg, err := readConfig(*dataDir)
		if err != nil {
			return fmt.Errorf("read %s: %w", configFile, err)
		}
		sf.listen = cmpOr(cfg.Listen, defaultListen)
	}
	return serve(ctx, *dataDir, "", sf, c.stderr, nil)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// serve runs the API server until ctx ends, then shuts down gracefully.
// ready, when set, is called with the server's base URL once it listens.
func serve(ctx context.Context, dataDir, keyFile string, sf serveFlags, logOut io.Writer, ready func(url string)) error {
	logger, err := newLogger(logOut, sf.logLevel, sf.logFormat)
	if err != nil {
		return err
	}
	useTLS := sf.tlsCert != "" || sf.tlsKey != ""
	if useTLS && (sf.tlsCert == "" || sf.tlsKey == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	if !useTLS && !sf.allowPlain && !isLoopback(sf.listen) {
		return fmt.Errorf("refusing plain HTTP on %s, which is not a loopback address: give --tls-cert and --tls-key, or --allow-plain-http", sf.listen)
	}
	if sf.auditRetain < 0 {
		return errors.New("--audit-retention must not be negative")
	}
	clk, err := sf.testing.clock()
	if err != nil {
		return err
	}
	a, err := openApp(ctx, dataDir, keyFile, appOptions{clock: clk, logger: logger, root: sf.root})
	if err != nil {
		return err
	}
	defer a.Close()

	metrics := api.NewMetrics()
	// Every request goes into the audit trail; those that change nothing
	// through one group-commit writer (closed before the store, by defer
	// order).
	auditW := a.audit.NewWriter()
	defer auditW.Close()
	srv := api.New(api.Options{
		Audit:       a.audit,
		AuditWriter: auditW,
		Secrets:     a.secrets,
		KMS:         a.kms,
		IAM:         a.iam,
		STS:         a.sts,
		Prepare:     a.authorizer.Prepare,
		Verifier:    &auth.Verifier{Creds: a.creds, Now: a.clock.Now},
		Logger:      logger,
		Metrics:     metrics,
	})
	httpSrv := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", sf.listen)
	if err != nil {
		return err
	}
	scheme := "http"
	if useTLS {
		cert, err := tls.LoadX509KeyPair(sf.tlsCert, sf.tlsKey)
		if err != nil {
			ln.Close()
			return fmt.Errorf("load TLS certificate: %w", err)
		}
		httpSrv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		ln = tls.NewListener(ln, httpSrv.TLSConfig)
		scheme = "https"
	}
	url := scheme + "://" + ln.Addr().String()
	logger.Info("listening", "url", url)

	jobsCtx, stopJobs := context.WithCancel(ctx)
	defer stopJobs()
	go purgeLoop(jobsCtx, a, sf.purgeInterval, sf.auditRetain)
	go keyJobsLoop(jobsCtx, a, sf.purgeInterval)

	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()
	if ready != nil {
		ready(url)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := httpSrv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	stopJobs()
	return nil
}

// purgeLoop removes secrets past their recovery window. Reads treat them as
// gone as soon as the window ends, so the interval only bounds how long
// their rows stay on disk. With a retention, it also prunes the audit
// events older than that.
func purgeLoop(ctx context.Context, a *app, every, auditRetain time.Duration) {
	if every <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := a.secrets.Purge(ctx); err != nil && ctx.Err() == nil {
			a.logger.Error("purge deleted secrets", "err", err)
		} else if n > 0 {
			a.logger.Info("purged deleted secrets", "count", n)
		}
		if auditRetain > 0 {
			if n, err := a.audit.Prune(ctx, a.clock.Now().Add(-auditRetain)); err != nil && ctx.Err() == nil {
				a.logger.Error("prune the audit trail", "err", err)
			} else if n > 0 {
				a.logger.Info("pruned the audit trail", "count", n)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// keyJobsLoop runs the KMS keys' due work on the injected clock: automatic
// rotations and deletions at the end of their waiting period. Operations
// treat a key past its deletion date as gone at once, so the interval only
// bounds how late a rotation happens and how long a deleted key's row
// stays on disk.
func keyJobsLoop(ctx context.Context, a *app, every time.Duration) {
	if every <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if rotated, deleted, err := a.kms.RunDue(ctx); err != nil && ctx.Err() == nil {
			a.logger.Error("KMS key jobs", "err", err)
		} else if rotated+deleted > 0 {
			a.logger.Info("KMS key jobs", "rotated", rotated, "deleted", deleted)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, not %q", format)
}
