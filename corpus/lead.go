package corpus

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode/utf8"
)

// Most lines of a document are body text that opens with none of the runes a heading's numbering
// opens with (第, 一, （, 1, ① …), yet each line went through a dozen anchored patterns before it was
// known not to be a heading. A pattern's lead is the set of runes a match can open with, read from the
// compiled pattern: a line whose first rune is not in it cannot match, and is not run through it.

// lead is the set of runes a match of a pattern anchored at the start of the text opens with, as
// ranges lo, hi; a lead with all set holds every rune (the pattern cannot be checked this way).
type lead struct {
	ranges []rune
	all    bool
}

// leadOf returns the lead of re: every rune a match can open with, when each match begins at the
// start of the text and none is empty; otherwise a lead of all runes.
func leadOf(re *regexp.Regexp) lead {
	all := lead{all: true}
	parsed, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return all
	}
	prog, err := syntax.Compile(parsed.Simplify())
	if err != nil || prog.StartCond()&syntax.EmptyBeginText == 0 {
		return all // not anchored: a match may begin further on
	}
	var l lead
	seen := map[uint32]bool{}
	var walk func(pc uint32) bool
	walk = func(pc uint32) bool {
		if seen[pc] {
			return true
		}
		seen[pc] = true
		in := &prog.Inst[pc]
		switch in.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			return walk(in.Out) && walk(in.Arg)
		case syntax.InstCapture, syntax.InstNop, syntax.InstEmptyWidth:
			// An empty-width condition is taken as holding: the lead may only be too large.
			return walk(in.Out)
		case syntax.InstFail:
			return true
		case syntax.InstRune1:
			l.ranges = append(l.ranges, in.Rune[0], in.Rune[0])
			return true
		case syntax.InstRune:
			if syntax.Flags(in.Arg)&syntax.FoldCase != 0 {
				return false
			}
			if len(in.Rune) == 1 {
				l.ranges = append(l.ranges, in.Rune[0], in.Rune[0])
				return true
			}
			l.ranges = append(l.ranges, in.Rune...)
			return true
		default: // any rune, or a match before any rune
			return false
		}
	}
	if !walk(uint32(prog.Start)) {
		return all
	}
	return l
}

// opens reports whether t opens with a rune of l (t may then match; otherwise it cannot).
func (l lead) opens(t string) bool {
	if l.all {
		return true
	}
	if t == "" {
		return false
	}
	r, _ := utf8.DecodeRuneInString(t)
	for i := 0; i+1 < len(l.ranges); i += 2 {
		if l.ranges[i] <= r && r <= l.ranges[i+1] {
			return true
		}
	}
	return false
}

// anchored is a pattern with its lead: its matching methods skip a text whose first rune no match
// can open with. Its other methods are the pattern's own.
type anchored struct {
	*regexp.Regexp
	lead lead
}

// anchor compiles a pattern as regexp.MustCompile does, with its lead.
func anchor(expr string) anchored {
	re := regexp.MustCompile(expr)
	return anchored{re, leadOf(re)}
}

func (a anchored) MatchString(t string) bool { return a.lead.opens(t) && a.Regexp.MatchString(t) }

func (a anchored) FindStringIndex(t string) []int {
	if !a.lead.opens(t) {
		return nil
	}
	return a.Regexp.FindStringIndex(t)
}

func (a anchored) FindStringSubmatch(t string) []string {
	if !a.lead.opens(t) {
		return nil
	}
	return a.Regexp.FindStringSubmatch(t)
}

// worded is an unanchored pattern every match of which holds one of a few words: its matching
// methods skip a text with none of them. Its other methods are the pattern's own.
type worded struct {
	*regexp.Regexp
	words []string
}

// needing compiles a pattern as regexp.MustCompile does, with words one of which every match holds
// (read off the pattern by whoever writes it).
func needing(expr string, words ...string) worded {
	return worded{regexp.MustCompile(expr), words}
}

func (w worded) has(t string) bool {
	for _, x := range w.words {
		if strings.Contains(t, x) {
			return true
		}
	}
	return false
}

func (w worded) MatchString(t string) bool { return w.has(t) && w.Regexp.MatchString(t) }

func (w worded) FindString(t string) string {
	if !w.has(t) {
		return ""
	}
	return w.Regexp.FindString(t)
}

func (w worded) FindStringSubmatch(t string) []string {
	if !w.has(t) {
		return nil
	}
	return w.Regexp.FindStringSubmatch(t)
}
