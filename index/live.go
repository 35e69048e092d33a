package index

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"policybot/corpus"
)

// ErrClosed reports a search on a Live index after Close.
var ErrClosed = errors.New("index: closed")

// Live is the index a server answers from: the index published in a data folder, swapped for a newer
// one when a reindex (in this process or another) publishes it, without ever blocking a search.
// Searches that began on the old index finish on it; it is closed once the last of them is done. It
// has the methods of *Index that answering needs and is safe for concurrent use.
type Live struct {
	dataDir string
	log     *slog.Logger
	cur     atomic.Pointer[handle]
	mu      sync.Mutex // serialises Reload and Close
	closed  bool
	// bad is the published index that could not be opened and the reason, so that Watch does not
	// read a damaged index again every second; a new publication names another folder.
	bad    string
	badErr error
}

// handle is one opened index and the searches using it. refs counts them plus one for Live itself
// while the index is current; at zero the index is closed, and it is never used again.
type handle struct {
	ix   *Index
	refs atomic.Int64
}

// OpenLive opens the index published in dataDir (after removing what an interrupted build left
// there, see Clean). It returns ErrNoIndex when none has been built.
func OpenLive(ctx context.Context, dataDir string, log *slog.Logger) (*Live, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if gone, err := Clean(ctx, dataDir); err != nil {
		log.Warn("cannot clean up the data folder", "err", err)
	} else if len(gone) > 0 {
		log.Info("removed what an interrupted reindex left", "files", gone)
	}
	ix, err := Open(dataDir)
	if err != nil {
		return nil, err
	}
	l := &Live{dataDir: dataDir, log: log}
	h := &handle{ix: ix}
	h.refs.Store(1)
	l.cur.Store(h)
	return l, nil
}

// acquire returns the current index with a reference held, or nil after Close.
func (l *Live) acquire() *handle {
	for {
		h := l.cur.Load()
		if h == nil {
			return nil
		}
		for {
			n := h.refs.Load()
			if n == 0 {
				break // retired and closing: the pointer has moved on already
			}
			if h.refs.CompareAndSwap(n, n+1) {
				return h
			}
		}
	}
}

func (h *handle) release(log *slog.Logger) {
	if h.refs.Add(-1) == 0 {
		if err := h.ix.Close(); err != nil {
			log.Warn("closing a replaced index", "index", h.ix.Manifest.Name, "err", err)
		}
	}
}

// Reload opens the index published in the data folder if it is not the one being served, and swaps
// it in. It reports whether it swapped. The index being served stays in use when the new one cannot
// be opened.
func (l *Live) Reload() (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return false, ErrClosed
	}
	name, err := Current(l.dataDir)
	if err != nil {
		return false, err
	}
	old := l.cur.Load()
	if old != nil && old.ix.Manifest.Name == name {
		return false, nil
	}
	if name == l.bad {
		return false, l.badErr
	}
	ix, err := OpenDir(l.dataDir, filepath.Join(l.dataDir, indexesDir, name))
	if err != nil {
		l.bad, l.badErr = name, fmt.Errorf("open the new index: %w", err)
		return false, l.badErr
	}
	h := &handle{ix: ix}
	h.refs.Store(1)
	l.cur.Store(h)
	if old != nil {
		old.release(l.log)
	}
	l.log.Info("serving a new index", "index", name, "documents", ix.Manifest.Documents, "passages", ix.Manifest.Passages)
	return true, nil
}

// Watch checks the data folder for a newly published index every interval (1 s when 0) and swaps it
// in, until ctx ends. Failures are logged and tried again at the next tick.
func (l *Live) Watch(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	var lastErr string
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		_, err := l.Reload()
		if errors.Is(err, ErrClosed) {
			return
		}
		if err != nil && err.Error() != lastErr {
			l.log.Warn("cannot swap in the new index; still serving the old one", "err", err)
		}
		lastErr = ""
		if err != nil {
			lastErr = err.Error()
		}
	}
}

// Close closes the index once the searches running on it are done. Later calls answer ErrClosed.
func (l *Live) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	if h := l.cur.Swap(nil); h != nil {
		h.release(l.log)
	}
	return nil
}

// Search answers a question from the current index (see (*Index).Search). It returns ErrClosed after
// Close.
func (l *Live) Search(ctx context.Context, question string, opt Options) (*Result, error) {
	h := l.acquire()
	if h == nil {
		return nil, ErrClosed
	}
	defer h.release(l.log)
	return h.ix.Search(ctx, question, opt)
}

// Passage returns the passage with the given id in the current index, or nil.
func (l *Live) Passage(id string) *corpus.Passage {
	h := l.acquire()
	if h == nil {
		return nil
	}
	defer h.release(l.log)
	return h.ix.Passage(id)
}

// Document returns the document with the given id in the current index, or nil.
func (l *Live) Document(id string) *corpus.Document {
	h := l.acquire()
	if h == nil {
		return nil
	}
	defer h.release(l.log)
	return h.ix.Document(id)
}

// Documents returns the current index's documents in id order. Callers must not modify them.
func (l *Live) Documents() []*corpus.Document {
	h := l.acquire()
	if h == nil {
		return nil
	}
	defer h.release(l.log)
	return h.ix.Documents()
}

// Manifest describes the index being served; zero after Close.
func (l *Live) Manifest() Manifest {
	h := l.acquire()
	if h == nil {
		return Manifest{}
	}
	defer h.release(l.log)
	return h.ix.Manifest
}
