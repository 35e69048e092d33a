package querylog

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestState(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		target := b.target(t)
		// Two stores on one database stand for two replicas: what one puts, the other gets.
		a, c := openAt(t, target), openAt(t, target)
		if err := a.PutState(ctx, "more:123:456", []byte{0, 1, 2, 0xff}, time.Hour); err != nil {
			t.Fatal(err)
		}
		if v, err := c.GetState(ctx, "more:123:456"); err != nil || string(v) != "\x00\x01\x02\xff" {
			t.Fatalf("get from the other replica: %q %v", v, err)
		}
		// Put replaces.
		if err := c.PutState(ctx, "more:123:456", []byte("page 2"), time.Hour); err != nil {
			t.Fatal(err)
		}
		if v, _ := a.GetState(ctx, "more:123:456"); string(v) != "page 2" {
			t.Errorf("after replacing: %q", v)
		}
		// Empty values are values.
		if err := a.PutState(ctx, "empty", nil, time.Hour); err != nil {
			t.Fatal(err)
		}
		if v, err := a.GetState(ctx, "empty"); err != nil || len(v) != 0 {
			t.Errorf("empty: %q %v", v, err)
		}
		// Expired state is not there.
		if err := a.PutState(ctx, "gone", []byte("x"), -time.Millisecond); err != nil {
			t.Fatal(err)
		}
		if _, err := a.GetState(ctx, "gone"); !errors.Is(err, ErrNotFound) {
			t.Errorf("expired: %v", err)
		}
		if _, err := a.GetState(ctx, "never"); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing: %v", err)
		}
		if err := c.DeleteState(ctx, "more:123:456"); err != nil {
			t.Fatal(err)
		}
		if _, err := a.GetState(ctx, "more:123:456"); !errors.Is(err, ErrNotFound) {
			t.Errorf("deleted: %v", err)
		}
		if err := c.DeleteState(ctx, "more:123:456"); err != nil {
			t.Errorf("deleting twice: %v", err)
		}
	})
}
