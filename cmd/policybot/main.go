// Command policybot answers citizens' questions about employment and social-security policy from a
// corpus of government documents: a Telegram bot, a console chat, and the tools to index, search and
// measure the corpus.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"policybot/internal/hugepages"
)

func main() {
	hugepages.Exec()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "policybot:", err)
		os.Exit(exitCode(err))
	}
}
