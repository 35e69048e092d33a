package main

import (
	"context"
	"strconv"
	"time"
)

// defaultStoreCheck is how often a replica asks the corpus store for its version, besides being told
// of each change by LISTEN (--store-check).
const defaultStoreCheck = 30 * time.Second

// follow keeps the served index at the corpus store's version until ctx ends: on each change the
// store announces, and every interval in case an announcement was missed (a lost connection), it
// brings the store's local copy up to date and, when the corpus changed, updates the index as
// reindex does (only the documents that changed) and swaps it in. Answers come from the previous
// index until then.
func (s *services) follow(ctx context.Context, e *env, cfg Config, interval time.Duration) {
	if interval <= 0 {
		interval = defaultStoreCheck
	}
	kick := make(chan struct{}, 1)
	poke := func(int64) {
		select {
		case kick <- struct{}{}:
		default:
		}
	}
	go cfg.store.Listen(ctx, poke)
	t := time.NewTicker(interval)
	defer t.Stop()
	poke(0)
	for {
		select {
		case <-ctx.Done():
			return
		case <-kick:
		case <-t.C:
		}
		if err := s.catchUp(ctx, e, cfg); err != nil && ctx.Err() == nil {
			e.log.Warn("cannot follow the corpus store; trying again at the next change or check", "err", err)
		}
	}
}

// catchUp brings the store's local copy and then the served index to the store's version.
func (s *services) catchUp(ctx context.Context, e *env, cfg Config) error {
	v, err := cfg.store.Sync(ctx)
	if err != nil {
		return err
	}
	fp, err := fingerprint(cfg)
	if err != nil {
		return err
	}
	if s.live.Manifest().Fingerprint != fp {
		began := time.Now()
		if _, err := build(ctx, e, cfg, fp, buildWait); err != nil {
			return err
		}
		if _, err := s.live.Reload(); err != nil {
			return err
		}
		s.metrics.Reindexed(time.Since(began))
		e.log.Info("following the corpus store: serving its new version", "corpus", v, "index", s.live.Manifest().Name,
			"seconds", time.Since(began).Round(time.Millisecond).Seconds())
	}
	s.corpus.Store(v)
	return nil
}

// status names the corpus version and the index served, for /healthz and /metrics: the store's
// version with --store; for a corpus folder, the start of the corpus fingerprint the index was built
// from (which changes when a document does).
func (s *services) status() (corpus, index string) {
	m := s.live.Manifest()
	if v := s.corpus.Load(); v >= 0 {
		return strconv.FormatInt(v, 10), m.Name
	}
	fp := m.Fingerprint
	if len(fp) > 12 {
		fp = fp[:12]
	}
	return fp, m.Name
}
