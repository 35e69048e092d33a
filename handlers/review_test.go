package handlers

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// exportLog is a ReviewLog whose Export writes what it is given; the rest is unused here.
type exportLog struct {
	ReviewLog
	csv  string
	from time.Time
	to   time.Time
}

func (e *exportLog) Export(_ context.Context, w io.Writer, from, to time.Time, _ *time.Location) error {
	e.from, e.to = from, to
	_, err := io.WriteString(w, e.csv)
	if err != nil {
		return errors.Join(errors.New("export"), err)
	}
	return nil
}

func TestExportRange(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	now := time.Date(2026, 3, 20, 23, 30, 0, 0, shanghai)
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, shanghai) }
	for _, tc := range []struct {
		arg      string
		from, to time.Time
		ok       bool
	}{
		{"", day(3, 14), day(3, 21), true},
		{"30", day(2, 19), day(3, 21), true},
		{"30天", day(2, 19), day(3, 21), true},
		{"2026-03-01", day(3, 1), day(3, 21), true},
		{"2026-03-01 2026-03-10", day(3, 1), day(3, 11), true},
		{"2026-03-01 至 2026-03-01", day(3, 1), day(3, 2), true},
		{"2026-03-10 2026-03-01", time.Time{}, time.Time{}, false},
		{"2026-04-01", time.Time{}, time.Time{}, false},
		{"0", time.Time{}, time.Time{}, false},
		{"march", time.Time{}, time.Time{}, false},
		{"2026-03-01 2026-03-02 2026-03-03", time.Time{}, time.Time{}, false},
	} {
		t.Run(tc.arg, func(t *testing.T) {
			log := &exportLog{csv: "\uFEFFid,question\r\n1,\"两行\n问题\"\r\n2,x\r\n"}
			r := &Review{Log: log, Location: shanghai, Now: func() time.Time { return now }, Members: map[int64]bool{1: true}}
			f, a := r.Export(context.Background(), Who{UserID: 1, ChatType: "private"}, tc.arg)
			if !tc.ok {
				if f != nil || !strings.Contains(a.Text, "用法") {
					t.Errorf("accepted: %+v %q", f, a.Text)
				}
				return
			}
			if f == nil {
				t.Fatalf("no file: %q", a.Text)
			}
			if !log.from.Equal(tc.from) || !log.to.Equal(tc.to) {
				t.Errorf("range %v – %v, want %v – %v", log.from, log.to, tc.from, tc.to)
			}
			last := tc.to.AddDate(0, 0, -1).Format(time.DateOnly)
			if f.Name != "questions-"+tc.from.Format(time.DateOnly)+"_"+last+".csv" || !strings.Contains(f.Caption, "共2条") {
				t.Errorf("file %q, caption %q", f.Name, f.Caption)
			}
		})
	}
}

func TestExportLimits(t *testing.T) {
	ctx := context.Background()
	admin := Who{UserID: 1, ChatType: "private"}
	r := &Review{Log: &exportLog{csv: "\uFEFFid,question\r\n"}, Members: map[int64]bool{1: true}}
	if f, a := r.Export(ctx, admin, ""); f != nil || !strings.Contains(a.Text, "没有提问记录") {
		t.Errorf("empty range: %v %q", f, a.Text)
	}
	r.Log = &exportLog{csv: strings.Repeat("x", MaxExport+1)}
	if f, a := r.Export(ctx, admin, ""); f != nil || !strings.Contains(a.Text, "超过50MB") {
		t.Errorf("too large: %v %q", f, a.Text)
	}
	if f, a := r.Export(ctx, Who{UserID: 2, ChatType: "private"}, ""); f != nil || a.Text != msgNotAdmin {
		t.Errorf("not an admin: %v %q", f, a.Text)
	}
	if !r.Allowed(Who{ChatType: ConsoleChat}) || r.Allowed(Who{UserID: 2, ChatType: "private"}) {
		t.Error("Allowed: the console is the person at the machine; user 2 is no admin")
	}
}
