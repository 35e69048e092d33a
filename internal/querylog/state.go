package querylog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// PutState keeps value under key until ttl has passed, replacing what key held. It is the shared
// store for short-lived chat state (the pages behind a 更多结果 button), so that whichever replica
// receives the button press finds it. Like GetState and DeleteState it returns when ctx ends even if
// the database is still waiting for a lock, with ctx's error; otherwise the database's error, if any.
func (s *Store) PutState(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if value == nil {
		value = []byte{}
	}
	err := bounded(ctx, func() error {
		_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO state (key, value, expires) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires`),
			key, value, micros(time.Now().Add(ttl)))
		return err
	})
	if err != nil {
		return fmt.Errorf("put state %q: %w", key, err)
	}
	return nil
}

// bounded runs op and returns its error, or ctx's as soon as ctx ends: SQLite's wait for a lock
// held elsewhere does not notice ctx, and a chat answer must not wait for it. An abandoned op
// finishes (or fails) on its own when the lock is released or the busy timeout passes.
func bounded(ctx context.Context, op func() error) error {
	done := make(chan error, 1)
	go func() { done <- op() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// GetState returns the value kept under key, or ErrNotFound when there is none or it has expired.
func (s *Store) GetState(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	err := bounded(ctx, func() error {
		return s.db.QueryRowContext(ctx, s.q(`SELECT value FROM state WHERE key = ? AND expires > ?`),
			key, micros(time.Now())).Scan(&v)
	})
	if isNoRows(err) {
		return nil, fmt.Errorf("get state %q: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get state %q: %w", key, err)
	}
	return v, nil
}

// DeleteState forgets key; forgetting a key that is not there is not an error.
func (s *Store) DeleteState(ctx context.Context, key string) error {
	err := bounded(ctx, func() error {
		_, err := s.db.ExecContext(ctx, s.q(`DELETE FROM state WHERE key = ?`), key)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete state %q: %w", key, err)
	}
	return nil
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
