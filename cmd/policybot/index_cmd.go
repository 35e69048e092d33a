package main

import (
	"context"
	"fmt"
)

// cmdIndex builds the index from the corpus folder.
func cmdIndex(ctx context.Context, e *env, args []string) error {
	var cfg Config
	fs := flags("index", e, &cfg)
	if err := parse(fs, args, &cfg); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: index takes no arguments", errUsage)
	}
	fp, err := fingerprint(cfg)
	if err != nil {
		return err
	}
	m, err := build(ctx, e, cfg, fp)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "indexed %d documents, %d passages into %s (%s)\n", m.Documents, m.Passages, cfg.Data, m.Name)
	for _, d := range m.Duplicates {
		fmt.Fprintf(e.stdout, "near-duplicates: %s and %s (%.0f%% alike); answers show the more complete one\n", d.A, d.B, 100*d.Similarity)
	}
	return nil
}
