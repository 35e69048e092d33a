package querylog

import (
	"context"
	"fmt"
)

// RenameRegions renames the regions stored with questions, once, in one transaction: each distinct
// region r becomes rename(r) when that is another, non-empty name. serve uses it at startup to bring
// questions logged before regions were named as the corpus names them (铜仁 → 铜仁市) in line with
// those logged since, so that each region is counted once. Renaming an already renamed log changes
// nothing; replicas doing it at once do the same updates. It returns how many questions changed.
func (s *Store) RenameRegions(ctx context.Context, rename func(region string) string) (int64, error) {
	fail := func(err error) (int64, error) { return 0, fmt.Errorf("rename regions: %w", err) }
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT region FROM queries WHERE region <> ''`)
	if err != nil {
		return fail(err)
	}
	renames := map[string]string{}
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			rows.Close()
			return fail(err)
		}
		if n := rename(r); n != "" && n != r {
			renames[r] = n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fail(err)
	}
	if len(renames) == 0 {
		return 0, nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback()
	var changed int64
	for from, to := range renames {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE queries SET region = ? WHERE region = ?`), to, from)
		if err != nil {
			return fail(err)
		}
		if n, err := res.RowsAffected(); err == nil {
			changed += n
		}
	}
	if err := tx.Commit(); err != nil {
		return fail(err)
	}
	return changed, nil
}
