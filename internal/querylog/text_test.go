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

func TestTopicKey(t *testing.T) {
	conv, err := script.New()
	if err != nil {
		t.Fatal(err)
	}
	key := func(q string) string { return topicKey(normalize(conv, q)) }
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"失业保险稳岗返还2", "失业保险稳岗返还9", true},
		{"失业保险稳岗返还2", "失业保险稳岗返还", true},
		{"失业保险稳岗返还 12", "失業保險穩崗返還？", true},
		{"失业金怎么领呢？", "失业金怎么领", true},
		{"失业金怎么领吗吗", "失业金怎么领", true},
		{"2023年的就业目标", "2024年的就业目标", false},
		{"6个月的失业金", "12个月的失业金", false},
		{"贷款3万元", "贷款5万元", false},
		{"十四五期间新增就业多少", "十三五期间新增就业多少", false},
		{"有什么补贴", "有什补贴", false},
		{"失业金怎么领", "失业金领多久", false},
	} {
		t.Run(tc.a+"|"+tc.b, func(t *testing.T) {
			if got := key(tc.a) == key(tc.b); got != tc.same {
				t.Errorf("topicKey(%q) = %q, topicKey(%q) = %q; same %v, want %v", tc.a, key(tc.a), tc.b, key(tc.b), got, tc.same)
			}
		})
	}
	// A key is a key of itself (folding twice is folding once), and never empty for a question.
	for _, q := range []string{"123", "吗", "失业保险稳岗返还2", "2023年"} {
		k := topicKey(normalize(conv, q))
		if k == "" || topicKey(k) != k {
			t.Errorf("topicKey of %q: %q, again %q", q, k, topicKey(k))
		}
	}
}
