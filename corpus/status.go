package corpus

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"
)

// Validity: whether a document is still in force. A person says so in a sidecar or with docs edit; a
// document may say so of itself (fillMeta); the corpus as a whole says so when a newer document has
// the same title or repeals it by name (InferStatus).

// ErrStatus reports a status that is none of StatusInForce, StatusRepealed and StatusSuperseded.
var ErrStatus = errors.New("corpus: unknown status")

// CheckStatus returns nil for a status a sidecar or docs edit may give ("", "in-force", "repealed",
// "superseded"), and an error wrapping ErrStatus, naming the valid ones, for any other.
func CheckStatus(s string) error {
	switch s {
	case "", StatusInForce, StatusRepealed, StatusSuperseded:
		return nil
	}
	return fmt.Errorf("%w %q: want %s, %s or %s", ErrStatus, s, StatusRepealed, StatusSuperseded, StatusInForce)
}

// StatusLabel names a status as a reader is told it: 已废止 for StatusRepealed, 已被取代 for
// StatusSuperseded, "" for a document in force.
func StatusLabel(status string) string {
	switch status {
	case StatusRepealed:
		return "已废止"
	case StatusSuperseded:
		return "已被取代"
	}
	return ""
}

var (
	// versionNote is a version written after a title: (2018-03-20), （2018年修正）, （2018年修订本）.
	versionNote = regexp.MustCompile(`\((?:(?:19|20)\d{2}[-.]\d{1,2}[-.]\d{1,2}|(?:19|20)\d{2}年\d{1,2}月\d{1,2}日|(?:19|20)\d{2}年?(?:修正|修订|修改)(?:本|文本)?|(?:19|20)\d{2}年版)\)$`)
	// repealAfter is a clause repealing the documents it names before its verb:
	// 《中华人民共和国行政监察法》同时废止, 《X》（国务院令第12号）和《Y》予以废止.
	repealAfter = regexp.MustCompile(`((?:《[^《》\n]{2,80}》(?:[（(][^（）()《》\n]{0,60}[）)])?[\s\pZ]*[、和及与]?[\s\pZ]*)+)(?:同时|一并|亦|也|均)?[\s\pZ]*(?:予以)?(?:废止|廢止)|((?:《[^《》\n]{2,80}》(?:[（(][^（）()《》\n]{0,60}[）)])?[\s\pZ]*[、和及与]?[\s\pZ]*)+)同时(?:失效|停止执行|不再执行)`)
	// repealBefore is a clause that opens with its verb: 一、废止《北京市社会治安综合治理条例》.
	repealBefore = regexp.MustCompile(`(?:^|[。；;：:，,、]|[一二三四五六七八九十]+、|决定|關於|关于|同时)[\s\pZ]*(?:废止|廢止)((?:《[^《》\n]{2,80}》(?:[（(][^（）()《》\n]{0,60}[）)])?[、和及与]?)+)`)
	quoted       = regexp.MustCompile(`《([^《》\n]{2,80})》`)
)

// titleKey is a title as two documents' titles, or a document's title and another's mention of it,
// are compared: without spaces, without 中华人民共和国 in front and a version or date after, with one
// form of brackets.
func titleKey(t string) string {
	t = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r) || r == '\u200b':
			return -1
		case r == '〈' || r == '<':
			return '《'
		case r == '〉' || r == '>':
			return '》'
		case r == '（':
			return '('
		case r == '）':
			return ')'
		}
		return r
	}, t)
	t = strings.TrimPrefix(t, "中华人民共和国")
	return versionNote.ReplaceAllString(t, "")
}

// dateBefore reports whether date a (YYYY[-MM[-DD]]) is certainly before date b: 2018 is before
// 2019-01, but not before 2018-03.
func dateBefore(a, b string) bool {
	return a != "" && b != "" && a < b && !strings.HasPrefix(b, a)
}

// versioned reports whether documents of d's kind come in versions under one title: laws,
// regulations, rules, interpretations. Reports, speeches, plans and notices of the same title are
// different documents (the 2023 and the 2024 政府工作报告), and an amendment (修正案) amends, it does not
// replace.
func versioned(d *Document) bool {
	if strings.Contains(d.Title, "修正案") {
		return false
	}
	switch d.Kind {
	case "宪法", "法律", "行政法规", "司法解释", "部门规章", "地方性法规", "地方政府规章", "条例", "办法", "规定", "细则", "规则", "解释":
		return true
	}
	t := trailingNote.ReplaceAllString(d.Title, "")
	return normativeEnd.MatchString(t) || strings.HasSuffix(t, "法") && !strings.HasSuffix(t, "办法")
}

// InferStatus marks the documents of a corpus that the corpus says are no longer in force, unless a
// person or the document itself said otherwise (their Sources.Status is set):
//
//   - superseded, by the newest, when a newer document of a kind that comes in versions (laws,
//     regulations, rules) has the same title (without date or version) and no other region;
//     documents of the same date are copies, or parts of one code published under its title, and stay
//     in force. (The text is not compared: a revised law shares as little of its wording with the old
//     one as two parts of one code share with each other.)
//   - repealed, by the newest that says so, when a newer document of the same region repeals it by
//     its title: 《X》同时废止, 《X》予以废止, 废止《X》.
//
// It sets Status, SupersededBy and Sources.Status of the documents it marks, and nothing else.
func InferStatus(docs []*Document) {
	repeals := make([][]string, len(docs))
	for i, d := range docs {
		repeals[i] = Repeals(d.Text)
	}
	InferStatusFrom(docs, repeals)
}

// InferStatusFrom is InferStatus for documents whose text is not at hand, given the titles each
// repeals (Repeals of its text, by the documents' order).
func InferStatusFrom(docs []*Document, repeals [][]string) {
	open := func(d *Document) bool { return d.Sources.Status == "" && d.Status == "" }
	byKey := map[string][]*Document{}
	for _, d := range docs {
		if d.Title != "" {
			k := titleKey(d.Title)
			byKey[k] = append(byKey[k], d)
		}
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)

	// Newer versions of the same title.
	for _, k := range keys {
		group := byKey[k]
		if len(group) < 2 {
			continue
		}
		var newest *Document
		for _, d := range group {
			if versioned(d) && d.Date != "" && (newest == nil || d.Date > newest.Date || d.Date == newest.Date && d.ID < newest.ID) {
				newest = d
			}
		}
		if newest == nil {
			continue
		}
		for _, d := range group {
			if d == newest || !open(d) || !versioned(d) || !dateBefore(d.Date, newest.Date) || !sameRegion(d, newest) {
				continue
			}
			d.Status, d.SupersededBy, d.Sources.Status = StatusSuperseded, newest.ID, SourceNewer
		}
	}

	// Documents repealed by name.
	repealer := map[*Document]*Document{}
	for i, m := range docs {
		for _, title := range repeals[i] {
			for _, x := range byKey[titleKey(title)] {
				if x == m || !open(x) || !dateBefore(x.Date, m.Date) || !sameRegion(x, m) {
					continue
				}
				if r := repealer[x]; r == nil || r.Date < m.Date || r.Date == m.Date && m.ID < r.ID {
					repealer[x] = m
				}
			}
		}
	}
	for x, m := range repealer {
		x.Status, x.SupersededBy, x.Sources.Status = StatusRepealed, m.ID, SourceRepeal
	}
}

// sameRegion reports whether two documents are of one region, or one of them of none known.
func sameRegion(a, b *Document) bool {
	return a.Region == b.Region || a.Region == "" || b.Region == ""
}

// Repeals returns the titles a text repeals by name, in order, each once: X of 《X》同时废止,
// 《X》（…）予以废止, 《X》和《Y》同时废止, 废止《X》. An article or a part of a document repealed
// (《X》第五条予以废止, 废止《X》第三条) is not the document.
func Repeals(text string) []string {
	var out []string
	add := func(span string) {
		for _, m := range quoted.FindAllStringSubmatch(span, -1) {
			if !contains(out, m[1]) {
				out = append(out, m[1])
			}
		}
	}
	// A clause does not cross a line: only the lines with a verb of repeal are read.
	for at := 0; at < len(text); {
		i := indexAny(text[at:], "废止", "廢止", "同时失效", "同时停止执行", "同时不再执行")
		if i < 0 {
			break
		}
		i += at
		start := strings.LastIndexByte(text[:i], '\n') + 1
		end := strings.IndexByte(text[i:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += i
		}
		l := text[start:end]
		at = end + 1
		for _, m := range repealAfter.FindAllStringSubmatch(l, -1) {
			add(m[1] + m[2])
		}
		for _, loc := range repealBefore.FindAllStringSubmatchIndex(l, -1) {
			rest := strings.TrimLeft(l[loc[1]:], " 　")
			if strings.HasPrefix(rest, "第") || strings.HasPrefix(rest, "的第") || strings.HasPrefix(rest, "中") {
				continue
			}
			add(l[loc[2]:loc[3]])
		}
	}
	return out
}

// indexAny returns the index of the first of words in s, or -1.
func indexAny(s string, words ...string) int {
	first := -1
	for _, w := range words {
		if i := strings.Index(s, w); i >= 0 && (first < 0 || i < first) {
			first = i
		}
	}
	return first
}
