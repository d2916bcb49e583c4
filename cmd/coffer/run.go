package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/signal"
	"syscall"
)

const usage = `Usage: coffer <command> [flags]

Commands:
  init     create a data dir: root key (in a file, behind a passphrase, or
           wrapped by an external KMS), first account, admin access key
  server   serve the API from a data dir
  dev      serve the API from a throw-away data dir and print credentials
  admin    offline administration (account create|list, create-access-key,
           rotate-root-key, audit, audit verify)
  version  print the version

Run 'coffer <command> -h' for a command's flags.
`

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// command is one subcommand.
type command interface {
	Run(ctx context.Context, args []string) error
}

// run runs the program and returns its exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	var cmd command
	switch args[0] {
	case "init":
		cmd = &initCommand{stdout: stdout, stderr: stderr}
	case "server":
		cmd = &serverCommand{stdout: stdout, stderr: stderr}
	case "dev":
		cmd = &devCommand{stdout: stdout, stderr: stderr}
	case "admin":
		cmd = &adminCommand{stdout: stdout, stderr: stderr}
	case "version":
		fmt.Fprintln(stdout, "coffer", version)
		return 0
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "coffer: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err := cmd.Run(ctx, args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "coffer:", err)
		return 1
	}
	return 0
}
