package bot

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Telegram's limits on what a bot sends (https://core.telegram.org/bots/faq): about 30 messages a
// second in all, and 20 a minute to one group. Past them it answers 429 and makes the bot wait,
// every chat alike. The bot keeps under them by waiting itself before each message.
const (
	DefaultSendRate    = 30              // messages a second, all chats together
	DefaultGroupPerMin = 20              // messages a minute to one group
	DefaultPressBurst  = 5               // button presses a person may make at once…
	DefaultPressEvery  = 2 * time.Second // …and one more each this often
	limitIdle          = 10 * time.Minute
)

// limits are the send and press limits of a bot (see Config.SendRate). A chat's or person's limiter
// unused for limitIdle is forgotten.
type limits struct {
	send    *rate.Limiter // every message
	groups  keyed         // messages to each group
	presses keyed         // button presses of each person
}

func newLimits(sendRate float64, groupPerMin int, pressBurst int, pressEvery time.Duration) *limits {
	return &limits{
		send:    rate.NewLimiter(rate.Limit(sendRate), max(1, int(sendRate))),
		groups:  keyed{limit: rate.Limit(float64(groupPerMin) / 60), burst: groupPerMin},
		presses: keyed{limit: rate.Every(pressEvery), burst: pressBurst},
	}
}

// wait waits until a message may be sent to chat, or ctx ends. A group's (a negative chat id, as
// Telegram numbers groups and channels) messages are also limited per group.
func (l *limits) wait(ctx context.Context, chat int64) error {
	if chat < 0 {
		if err := l.groups.get(chat).Wait(ctx); err != nil {
			return err
		}
	}
	return l.send.Wait(ctx)
}

// press reports whether person user may press a button now, and counts the press when so.
func (l *limits) press(user int64) bool { return l.presses.get(user).Allow() }

// msgTooFast is the notice for a button pressed too often.
const msgTooFast = "点得太快了，请稍等几秒再点。"

// keyed holds a limiter for each key, forgetting those unused for limitIdle.
type keyed struct {
	limit rate.Limit
	burst int

	mu    sync.Mutex
	m     map[int64]*used
	swept time.Time
}

type used struct {
	*rate.Limiter
	last time.Time
}

func (k *keyed) get(key int64) *rate.Limiter {
	now := time.Now()
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil {
		k.m = map[int64]*used{}
	}
	if now.Sub(k.swept) > limitIdle {
		for key, u := range k.m {
			if now.Sub(u.last) > limitIdle {
				delete(k.m, key)
			}
		}
		k.swept = now
	}
	u := k.m[key]
	if u == nil {
		u = &used{Limiter: rate.NewLimiter(k.limit, k.burst)}
		k.m[key] = u
	}
	u.last = now
	return u.Limiter
}
