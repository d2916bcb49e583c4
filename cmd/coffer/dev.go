package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// devCommand serves the API from a throw-away data dir and prints ready to
// paste credentials. Authentication stays on.
type devCommand struct {
	stdout, stderr io.Writer
}

func (c *devCommand) Run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("coffer dev", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	accountID := fs.String("account-id", "", "12-digit account id (default: random), e.g. 123456789012")
	region := fs.String("region", defaultRegion, "region to print in AWS_DEFAULT_REGION (every region is served)")
	var sf serveFlags
	sf.register(fs, defaultListen)
	if err := fs.Parse(args); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "coffer-dev-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	dataDir, keyFile := filepath.Join(tmp, "data"), filepath.Join(tmp, "root.key")
	key, err := initDataDir(ctx, dataDir, keyFile, *accountID, sf.listen)
	if err != nil {
		return err
	}
	return serve(ctx, dataDir, keyFile, sf, c.stderr, func(url string) {
		fmt.Fprintf(c.stdout, `Coffer dev server on %s (data in %s, removed on exit).
Account %s. Paste this into your shell:

export AWS_ENDPOINT_URL=%s AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_DEFAULT_REGION=%s

`, url, tmp, key.Account, url, key.AccessKeyID, key.SecretAccessKey, *region)
	})
}
