package corpus

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestLeadOf(t *testing.T) {
	for _, tc := range []struct {
		expr    string
		all     bool
		yes, no []string
	}{
		{expr: `^第[一二]条`, yes: []string{"第一条", "第"}, no: []string{"一条", "条", ""}},
		{expr: `^(?:专栏|專欄)\s*\d+`, yes: []string{"专", "專"}, no: []string{"栏"}},
		{expr: `^[（(]\d[）)]`, yes: []string{"（", "("}, no: []string{"1", "）"}},
		{expr: `^\s*x`, yes: []string{" x", "\tx", "x"}, no: []string{"y"}},
		{expr: `^x*y`, yes: []string{"x", "y"}, no: []string{"z"}},
		{expr: `^a|b`, all: true},     // only one branch is anchored
		{expr: `x`, all: true},        // not anchored
		{expr: `^a?`, all: true},      // matches the empty text
		{expr: `^.b`, all: true},      // any rune
		{expr: `(?i)^abc`, all: true}, // case folded
	} {
		l := leadOf(regexp.MustCompile(tc.expr))
		if l.all != tc.all {
			t.Errorf("leadOf(%q).all = %v, want %v", tc.expr, l.all, tc.all)
			continue
		}
		for _, s := range tc.yes {
			if !l.opens(s) {
				t.Errorf("leadOf(%q) does not open %q", tc.expr, s)
			}
		}
		for _, s := range tc.no {
			if l.opens(s) {
				t.Errorf("leadOf(%q) opens %q", tc.expr, s)
			}
		}
	}
}

// TestPrefilteredPatterns: the patterns with a lead or words in front match exactly the lines they
// match without them, on the seed documents' lines and on lines that open with each rune the
// patterns name.
func TestPrefilteredPatterns(t *testing.T) {
	files, err := filepath.Glob("docs/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("seed documents: %v", err)
	}
	var ls []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines(string(b)) {
			ls = append(ls, l.text, normDigits(l.text))
		}
	}
	var as []anchored
	for _, p := range headingPatterns {
		as = append(as, p.re)
	}
	as = append(as, tocLine, mdHeading, infoEnd, historyStart, statusLine, statusSaid, sourceLine, dateNumeric, dateISO, dateCN, publisher, subtitle, speech)
	for _, a := range as {
		if a.lead.all {
			t.Errorf("%s: no lead", a)
		}
		// Lines opening with each rune of the lead, and the runes just outside it.
		for i := 0; i+1 < len(a.lead.ranges); i += 2 {
			for _, r := range []rune{a.lead.ranges[i] - 1, a.lead.ranges[i], a.lead.ranges[i+1], a.lead.ranges[i+1] + 1} {
				ls = append(ls, string(r)+"一条 第十二条 2023年5月1日", string(r))
			}
		}
	}
	ls = append(ls, "发布日期：2023-05-01", "成文日期:2021年3月", "安政发〔2022〕12号", "第 12 号", "<!-- INFO END -->", "")
	matched := 0
	for _, l := range ls {
		for _, a := range as {
			got, want := a.FindStringIndex(l), a.Regexp.FindStringIndex(l)
			if !slices.Equal(got, want) || a.MatchString(l) != (want != nil) || !slices.Equal(a.FindStringSubmatch(l), a.Regexp.FindStringSubmatch(l)) {
				t.Errorf("%s on %q: %v, without its lead %v", a, l, got, want)
			}
			if want != nil {
				matched++
			}
		}
		for _, w := range []worded{dateLabeled, docNumber} {
			got, want := w.FindString(l), w.Regexp.FindString(l)
			if got != want || w.MatchString(l) != w.Regexp.MatchString(l) || !slices.Equal(w.FindStringSubmatch(l), w.Regexp.FindStringSubmatch(l)) {
				t.Errorf("%s on %q: %q, without its words %q", w, l, got, want)
			}
			if want != "" && !strings.ContainsAny(want, ":：号") {
				t.Errorf("%s matched %q, holding none of its words", w, want)
			}
		}
	}
	if matched < 100 {
		t.Errorf("only %d matches over %d lines: the lines do not exercise the patterns", matched, len(ls))
	}
}
