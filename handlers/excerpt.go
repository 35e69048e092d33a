package handlers

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"policybot/index"
)

// What of a passage chat shows: a phone screen holds about 700 characters, and a passage of a plan
// or a speech can run to 400. A long passage is cut to the sentences around the question's words,
// verbatim, with …… where text is left out; 原文 shows the whole.
const (
	longPassage  = 180 // characters: a passage longer than this is cut
	excerptRunes = 130 // about how much of a cut passage is kept
	maxRuns      = 3   // bold runs in one passage
	elision      = "……"
)

// excerpt is what is shown of a passage: its text (verbatim, or verbatim pieces joined by ……) and
// the question's words in it.
type excerpt struct {
	text  string
	spans []index.Span
	cut   bool // text is part of the passage
}

// piece is a byte range of a text: a sentence, or a clause of a long sentence.
type piece struct{ start, end int }

// sentenceEnd ends a sentence; clauseEnd ends a clause inside one.
const (
	sentenceEnd = "。！？；!?;\n"
	clauseEnd   = "，,、：:"
)

// split cuts text[start:end] into pieces after each rune of ends, white space at a piece's edges
// left out.
func split(text string, start, end int, ends string) []piece {
	var out []piece
	from := start
	for i := start; i < end; {
		r, n := utf8.DecodeRuneInString(text[i:])
		i += n
		if strings.ContainsRune(ends, r) || i == end {
			if p := trimPiece(text, from, i); p.end > p.start {
				out = append(out, p)
			}
			from = i
		}
	}
	return out
}

func trimPiece(text string, start, end int) piece {
	for start < end {
		r, n := utf8.DecodeRuneInString(text[start:])
		if !unicode.IsSpace(r) {
			break
		}
		start += n
	}
	for end > start {
		r, n := utf8.DecodeLastRuneInString(text[start:end])
		if !unicode.IsSpace(r) {
			break
		}
		end -= n
	}
	return piece{start, end}
}

// figureRx finds a figure: digits, or a Chinese numeral with a unit.
var figureRx = regexp.MustCompile(`[0-9０-９]|[一二三四五六七八九十百千万两]+(?:万|亿|个|人|元|%|成)`)

// cutPassage returns what to show of text, whose spans are the question's specific words: all of it
// when it is short; else the sentence holding most of the words (for a question asking how many,
// one stating a figure counts more), with its neighbours while they fit in about excerptRunes
// characters. A sentence too long by itself is cut the same way at its clauses.
func cutPassage(text string, spans []index.Span, figures bool) excerpt {
	if utf8.RuneCountInString(text) <= longPassage {
		return excerpt{text: text, spans: spans}
	}
	pieces := window(text, split(text, 0, len(text), sentenceEnd), spans, figures)
	if len(pieces) == 1 && runes(text, pieces[0]) > 2*excerptRunes {
		p := pieces[0]
		pieces = window(text, split(text, p.start, p.end, clauseEnd), spans, figures)
	}
	start, end := pieces[0].start, pieces[len(pieces)-1].end
	var b strings.Builder
	var out []index.Span
	if strings.TrimSpace(text[:start]) != "" {
		b.WriteString(elision)
	}
	shift := b.Len() - start
	b.WriteString(text[start:end])
	for _, s := range spans {
		if s.Start >= start && s.End <= end {
			out = append(out, index.Span{Start: s.Start + shift, End: s.End + shift})
		}
	}
	if strings.TrimSpace(text[end:]) != "" {
		b.WriteString(elision)
	}
	return excerpt{text: b.String(), spans: out, cut: true}
}

func runes(text string, p piece) int { return utf8.RuneCountInString(text[p.start:p.end]) }

// window picks from pieces (in order) the one that holds the most distinct words of spans, then
// adds its neighbours, the one holding more words first (the next on a tie), while the whole stays
// within excerptRunes characters. Without any word, it keeps the first pieces.
func window(text string, pieces []piece, spans []index.Span, figures bool) []piece {
	if len(pieces) == 0 {
		return []piece{{0, len(text)}}
	}
	score := make([]float64, len(pieces))
	for i, p := range pieces {
		seen := map[string]bool{}
		for _, s := range spans {
			if s.Start >= p.start && s.End <= p.end && !seen[text[s.Start:s.End]] {
				seen[text[s.Start:s.End]] = true
				score[i]++
			}
		}
		if figures && score[i] > 0 && figureRx.MatchString(text[p.start:p.end]) {
			score[i] += 0.5
		}
	}
	best := 0
	for i := range pieces {
		if score[i] > score[best] {
			best = i
		}
	}
	lo, hi := best, best
	size := runes(text, pieces[best])
	for {
		next := -1
		switch {
		case lo > 0 && hi < len(pieces)-1:
			next = hi + 1
			if score[lo-1] > score[hi+1] {
				next = lo - 1
			}
		case lo > 0:
			next = lo - 1
		case hi < len(pieces)-1:
			next = hi + 1
		}
		if next < 0 || size+runes(text, pieces[next]) > excerptRunes {
			break
		}
		size += runes(text, pieces[next])
		if next < lo {
			lo = next
		} else {
			hi = next
		}
	}
	return pieces[lo : hi+1]
}

// fewRuns keeps at most maxRuns spans of text: the first of each distinct word, in order.
func fewRuns(text string, spans []index.Span) []index.Span {
	var out []index.Span
	seen := map[string]bool{}
	for _, s := range spans {
		w := text[s.Start:s.End]
		if seen[w] {
			continue
		}
		seen[w] = true
		out = append(out, s)
		if len(out) == maxRuns {
			break
		}
	}
	return out
}

// asksFigure reports whether a question (simplified) asks how many or how much.
func asksFigure(q string) bool {
	for _, w := range []string{"多少", "几", "比例", "目标", "标准", "金额", "数量", "多高", "多长"} {
		if strings.Contains(q, w) {
			return true
		}
	}
	return false
}
