package querylog

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"policybot/handlers"

	"policybot/internal/script"
)

func TestNormalize(t *testing.T) {
	conv, err := script.New()
	if err != nil {
		t.Fatal(err)
	}
	same := []string{"失业金怎么领？", "失业金 怎么领", "失業金怎麼領", "失业金怎么领!!", "  失业金，怎么领。"}
	for _, s := range same {
		if got := normalize(conv, s); got != "失业金怎么领" {
			t.Errorf("normalize(%q) = %q", s, got)
		}
	}
	if normalize(conv, "ＡＢＣ 12") != "abc12" {
		t.Errorf("width and case: %q", normalize(conv, "ＡＢＣ 12"))
	}
	if normalize(conv, "失业金怎么领") == normalize(conv, "失业金领多久") {
		t.Error("different questions group together")
	}
}

// TestNumbersNotStored: phone and 身份证 numbers written with separators, full-width digits or
// Chinese numerals, and e-mail addresses, are masked before the question is stored, so neither the
// question nor its normalised form (which drops the separators) holds them anywhere in the file.
func TestNumbersNotStored(t *testing.T) {
	target := filepath.Join(t.TempDir(), FileName)
	s := openAt(t, target)
	var entries []handlers.LogEntry
	for _, q := range []string{"电话138.1234.5678 失业金", "1 3 8 1 2 3 4 5 6 7 8 失业金", "身份证110105 19491231 002X",
		"身份证110105-19491231-002X", "一三八一二三四五六七八", "１３８１２３４５６７８", "发到zhang.san@example.com可以吗"} {
		entries = append(entries, entry(time.Now(), 1, q, true))
	}
	record(t, s, entries...)
	rows, _, err := s.Find(context.Background(), Filter{}, 0, 100)
	if err != nil || len(rows) != len(entries) {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	s.Close()
	files, _ := filepath.Glob(target + "*")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, leak := range []string{"13812345678", "1234", "11010519491231002", "19491231", "example.com", "一三八"} {
			if bytes.Contains(data, []byte(leak)) {
				t.Errorf("%s holds %q", filepath.Base(f), leak)
			}
		}
	}
}
