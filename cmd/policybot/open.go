package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime/debug"
	"syscall"
	"time"

	"policybot/corpus"
	"policybot/index"
)

// fingerprint identifies what an index of cfg is built from: the corpus, the dictionaries and the
// index format.
func fingerprint(cfg Config) (string, error) {
	return index.CorpusFingerprint(cfg.Corpus, cfg.Skip, cfg.UserDict(), cfg.Synonyms())
}

// buildWait is how long a command that needs an index waits for a running reindex when there is no
// index to answer from meanwhile.
const buildWait = 10 * time.Minute

// openIndex opens the index in cfg.Data, bringing it up to date first when there is none or when the
// corpus or dictionaries changed since it was built. When another process is reindexing, it answers
// from the index published now rather than wait.
func openIndex(ctx context.Context, e *env, cfg Config) (*index.Index, error) {
	if gone, err := index.Clean(ctx, cfg.Data); err == nil && len(gone) > 0 {
		e.log.Info("removed what an interrupted reindex left", "files", gone)
	}
	fp, err := fingerprint(cfg)
	if err != nil {
		return nil, err
	}
	ix, err := index.Open(cfg.Data)
	wait := buildWait
	switch {
	case err == nil && ix.Manifest.Fingerprint == fp:
		return ix, nil
	case err == nil:
		e.log.Info("the corpus changed since the index was built; updating it", "corpus", cfg.Corpus)
		wait = 0
	case errors.Is(err, index.ErrNoIndex):
		e.log.Info("no index yet; building it", "corpus", cfg.Corpus, "data", cfg.Data)
	default:
		e.log.Warn("the index cannot be opened; rebuilding it", "err", err)
	}
	_, berr := build(ctx, e, cfg, fp, wait)
	if berr != nil && ix != nil && errors.Is(berr, index.ErrBusy) {
		e.log.Warn("answering from the published index while another process reindexes", "err", berr)
		return ix, nil
	}
	if ix != nil {
		ix.Close()
	}
	if berr != nil {
		return nil, berr
	}
	return index.Open(cfg.Data)
}

// build reads the corpus and brings the index up to date (only the documents that changed, see
// index.Update), waiting up to wait for another reindex. The documents are read as the index is
// built, a few at a time (index.UpdateFrom), after a change to the corpus that a crash interrupted
// is finished or undone. Files that cannot be read are reported and left out.
func build(ctx context.Context, e *env, cfg Config, fp string, wait time.Duration) (*index.UpdateReport, error) {
	began := time.Now()
	folder := &corpus.Folder{Dir: cfg.Corpus, Skip: cfg.Skip, ReadOnly: cfg.ReadOnly}
	if !folder.ReadOnly {
		if _, err := folder.Recover(ctx); err != nil && !errors.Is(err, fs.ErrPermission) && !errors.Is(err, syscall.EROFS) {
			return nil, err
		}
	}
	files, err := corpus.Files(cfg.Corpus, cfg.Skip...)
	if err != nil {
		return nil, err
	}
	src := index.NewFileSource(files)
	rep, err := index.UpdateFrom(ctx, cfg.Data, src, index.UpdateOptions{
		BuildOptions: index.BuildOptions{UserDict: cfg.UserDict(), Synonyms: cfg.Synonyms(), Fingerprint: fp},
		LockWait:     wait,
	})
	if rerr := src.Errs(); rerr != nil {
		for _, line := range splitErrors(rerr) {
			e.log.Warn("document left out", "err", line)
		}
	}
	if errors.Is(err, index.ErrNoDocuments) {
		return nil, fmt.Errorf("no readable documents in %s", cfg.Corpus)
	}
	if err != nil {
		return nil, err
	}
	e.log.Info("index up to date", "documents", rep.Documents, "passages", rep.Passages, "full", rep.Full, "seconds", time.Since(began).Round(time.Millisecond).Seconds())
	return rep, nil
}

// splitErrors lists the errors joined in err.
func splitErrors(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// openLive opens the index in cfg.Data as openIndex does (building or updating it first when
// needed), as an index.Live: one that a reindex publishing a newer index, in this process or another,
// swaps out without interrupting a search (see Live.Watch and Live.Reload).
func openLive(ctx context.Context, e *env, cfg Config) (*index.Live, error) {
	servingGC()
	ix, err := openIndex(ctx, e, cfg)
	if err != nil {
		return nil, err
	}
	// Opened before ix is closed, so the two share jieba's dictionaries rather than load them again.
	live, err := index.OpenLive(ctx, cfg.Data, e.log)
	ix.Close()
	if err != nil {
		return nil, err
	}
	return live, nil
}

// servingGCPercent is the garbage collector's target in a process that answers questions. Its heap
// is small (the documents' metadata and the index's lookups; the text stays in the mapped store) and
// lives as long as the index; at Go's default target of 100% the heap grows to twice that between
// collections for nothing. At 50% collections are more frequent and cheap (questions allocate little).
const servingGCPercent = 50

// servingGC sets the collector's target for answering questions, unless GOGC was set by hand.
func servingGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(servingGCPercent)
	}
}
