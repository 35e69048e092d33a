package querylog

import (
	"context"
	"fmt"
	"time"
)

// DefaultRetention is how long questions are kept unless configured otherwise (--log-retention).
const DefaultRetention = 180 * 24 * time.Hour

// Purged counts what Purge deleted.
type Purged struct {
	Questions int64 // questions asked before the cut-off
	Resolved  int64 // resolution marks made before it
	States    int64 // button state past its expiry
}

// Purge deletes the questions asked before cutoff, the resolution marks made before it, and button
// state that has expired. On SQLite the deleted text is overwritten in the file (secure_delete);
// PostgreSQL reclaims it at its next vacuum.
func (s *Store) Purge(ctx context.Context, cutoff time.Time) (Purged, error) {
	var p Purged
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return p, fmt.Errorf("purge query log: %w", err)
	}
	defer tx.Rollback()
	for _, d := range []struct {
		query string
		arg   int64
		n     *int64
	}{
		{`DELETE FROM queries WHERE ts < ?`, micros(cutoff), &p.Questions},
		{`DELETE FROM resolved WHERE ts < ?`, micros(cutoff), &p.Resolved},
		{`DELETE FROM state WHERE expires <= ?`, micros(time.Now()), &p.States},
	} {
		res, err := tx.ExecContext(ctx, s.q(d.query), d.arg)
		if err != nil {
			return p, fmt.Errorf("purge query log: %w", err)
		}
		if *d.n, err = res.RowsAffected(); err != nil {
			return p, fmt.Errorf("purge query log: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return p, fmt.Errorf("purge query log: %w", err)
	}
	return p, nil
}

// Retain purges what is older than keep now and then every interval (a day, in production) until
// ctx ends. Failures are logged and tried again at the next interval; Retain returns when ctx ends.
func (s *Store) Retain(ctx context.Context, keep, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		p, err := s.Purge(ctx, time.Now().Add(-keep))
		if err != nil && ctx.Err() == nil {
			s.log.Error("query log purge failed", "db", s.name, "err", err)
		} else if err == nil {
			s.log.Info("query log purged", "db", s.name, "questions", p.Questions, "resolved", p.Resolved,
				"states", p.States, "keep_days", keep.Hours()/24)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
