package parallel

import (
	"sync/atomic"
	"testing"
)

func TestFor(t *testing.T) {
	for _, n := range []int{0, 1, 7, 1000} {
		seen := make([]int32, n)
		var calls atomic.Int32
		For(n, func(i int) {
			atomic.AddInt32(&seen[i], 1)
			calls.Add(1)
		})
		if int(calls.Load()) != n {
			t.Fatalf("n=%d: %d calls", n, calls.Load())
		}
		for i, c := range seen {
			if c != 1 {
				t.Fatalf("n=%d: f(%d) called %d times", n, i, c)
			}
		}
	}
}

// TestForN: every i once, on no more goroutines at a time than asked.
func TestForN(t *testing.T) {
	for _, workers := range []int{0, 1, 2, 3} {
		var running, most, calls atomic.Int32
		seen := make([]int32, 50)
		ForN(len(seen), workers, func(i int) {
			n := running.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			atomic.AddInt32(&seen[i], 1)
			calls.Add(1)
			for k := 0; k < 10000; k++ { // long enough for the goroutines to overlap
				_ = k * k
			}
			running.Add(-1)
		})
		for i, s := range seen {
			if s != 1 {
				t.Fatalf("workers=%d: f(%d) called %d times", workers, i, s)
			}
		}
		if limit := int32(max(1, workers)); most.Load() > limit {
			t.Errorf("workers=%d: %d calls at once", workers, most.Load())
		}
	}
}
