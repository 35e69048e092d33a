package main

import (
	"context"
	"fmt"
)

// cmdIndex brings the index up to date with the corpus folder.
func cmdIndex(ctx context.Context, e *env, args []string) error {
	var cfg Config
	fs := flags("index", e, &cfg)
	if err := parse(e, fs, args, &cfg); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: index takes no arguments", errUsage)
	}
	fp, err := fingerprint(cfg)
	if err != nil {
		return err
	}
	rep, err := build(ctx, e, cfg, fp, buildWait)
	if err != nil {
		return err
	}
	if rep.Manifest == nil {
		fmt.Fprintf(e.stdout, "the index of %s is up to date (%d passages)\n", cfg.Data, rep.Passages)
		return nil
	}
	m := rep.Manifest
	fmt.Fprintf(e.stdout, "indexed %d documents, %d passages into %s (%s)\n", m.Documents, m.Passages, cfg.Data, m.Name)
	for _, d := range m.Duplicates {
		fmt.Fprintf(e.stdout, "near-duplicates: %s and %s (%.0f%% alike); answers show the more complete one\n", d.A, d.B, 100*d.Similarity)
	}
	return nil
}
