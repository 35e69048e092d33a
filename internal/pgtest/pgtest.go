// Package pgtest gives a test a PostgreSQL schema of its own in the database named by
// POLICYBOT_TEST_PG (.ci/run starts one), so that tests of the query log, the corpus store and the
// replicas run side by side in one database without seeing each other's tables.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// Env is the variable that names the database to test against.
const Env = "POLICYBOT_TEST_PG"

// InCI reports whether the tests run in CI, where a missing PostgreSQL (or other real part) is a
// failure, not a skip.
func InCI() bool {
	ci := os.Getenv("CI")
	return ci != "" && ci != "false" && ci != "0"
}

// Unavailable fails the test in CI and skips it elsewhere, saying why.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if InCI() {
		t.Fatalf(format, args...)
	}
	t.Skipf(format+" (skipped outside CI)", args...)
}

// URL returns the address of a new, empty schema of the database named by POLICYBOT_TEST_PG (a
// connection string whose search_path names the schema), dropped when the test ends. The schema's
// name starts with prefix. Without the database the test fails in CI and is skipped elsewhere.
func URL(t testing.TB, prefix string) string {
	t.Helper()
	dsn := os.Getenv(Env)
	if dsn == "" {
		Unavailable(t, "%s is not set: no PostgreSQL to test against (.ci/run starts one)", Env)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		Unavailable(t, "PostgreSQL at %s does not answer: %v", Env, err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 6)
	rand.Read(b)
	schema := prefix + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if c, err := pgx.Connect(context.Background(), dsn); err == nil {
			c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			c.Close(context.Background())
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
