package handlers

import (
	"sync"
	"time"
)

// limiter allows each person n questions in any window of length per (a sliding window). It keeps
// only the times of the last n questions of people who asked within the window.
type limiter struct {
	n   int
	per time.Duration

	mu    sync.Mutex
	asked map[int64][]time.Time
	swept time.Time
}

func newLimiter(n int, per time.Duration) *limiter {
	return &limiter{n: n, per: per, asked: map[int64][]time.Time{}}
}

// allow reports whether user may ask a question at now, and counts it when so. A limiter with n < 0
// allows everything.
func (l *limiter) allow(user int64, now time.Time) bool {
	if l.n < 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > l.per {
		// Forget the people whose last question is out of the window.
		for u, ts := range l.asked {
			if len(ts) == 0 || now.Sub(ts[len(ts)-1]) >= l.per {
				delete(l.asked, u)
			}
		}
		l.swept = now
	}
	ts := l.asked[user]
	for len(ts) > 0 && now.Sub(ts[0]) >= l.per {
		ts = ts[1:]
	}
	if len(ts) >= l.n {
		l.asked[user] = ts
		return false
	}
	l.asked[user] = append(ts, now)
	return true
}
