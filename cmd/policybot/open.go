package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"policybot/corpus"
	"policybot/index"
)

// fingerprint identifies what an index of cfg is built from: the corpus, the dictionaries and the
// index format.
func fingerprint(cfg Config) (string, error) {
	fp, err := corpus.Fingerprint(cfg.Corpus, cfg.UserDict(), cfg.Synonyms())
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s-v%d", fp, index.FormatVersion), nil
}

// openIndex opens the index in cfg.Data, building it first when there is none or when the corpus or
// dictionaries changed since it was built.
func openIndex(ctx context.Context, e *env, cfg Config) (*index.Index, error) {
	fp, err := fingerprint(cfg)
	if err != nil {
		return nil, err
	}
	ix, err := index.Open(cfg.Data)
	switch {
	case err == nil && ix.Manifest.Fingerprint == fp:
		return ix, nil
	case err == nil:
		ix.Close()
		e.log.Info("the corpus changed since the index was built; rebuilding", "corpus", cfg.Corpus)
	case errors.Is(err, index.ErrNoIndex):
		e.log.Info("no index yet; building it", "corpus", cfg.Corpus, "data", cfg.Data)
	default:
		e.log.Warn("the index cannot be opened; rebuilding it", "err", err)
	}
	if _, err := build(ctx, e, cfg, fp); err != nil {
		return nil, err
	}
	return index.Open(cfg.Data)
}

// build reads the corpus and builds and publishes a new index. Files that cannot be read are
// reported and left out.
func build(ctx context.Context, e *env, cfg Config, fp string) (*index.Manifest, error) {
	began := time.Now()
	docs, err := corpus.Load(cfg.Corpus)
	if err != nil {
		for _, line := range splitErrors(err) {
			e.log.Warn("document left out", "err", line)
		}
	}
	if len(docs) == 0 {
		return nil, fmt.Errorf("no readable documents in %s", cfg.Corpus)
	}
	m, err := index.Build(ctx, cfg.Data, docs, index.BuildOptions{
		UserDict: cfg.UserDict(), Synonyms: cfg.Synonyms(), Fingerprint: fp,
	})
	if err != nil {
		return nil, err
	}
	e.log.Info("index built", "documents", m.Documents, "passages", m.Passages, "seconds", time.Since(began).Round(time.Millisecond).Seconds())
	return m, nil
}

// splitErrors lists the errors joined in err.
func splitErrors(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
