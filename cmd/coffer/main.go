// Command coffer is a self-hosted secrets manager that speaks the AWS
// Secrets Manager API. See the README for the commands.
package main

import (
	"context"
	"os"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}
