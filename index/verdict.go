package index

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// valueSubject is the share of the question's specific words a passage must hold for the value it
// states (a sum, a number) to be the value asked for.
const valueSubject = 0.5

// verdictDepth is how many of the best passages the verdict reads, whatever the number asked for.
const verdictDepth = 3

// Verdict thresholds, over the question's specific words (see generic.go) weighted by rarity. They
// were set on the development sets (README, Answer quality) and are the same for every corpus.
const (
	// presentMin is the share of them the corpus must hold somewhere for the documents to cover the
	// question's subject at all; below it the verdict is none.
	presentMin = 0.6
	// presentRegion is presentMin for a question that names a region of the corpus: it is about the
	// documents' places, so fewer of its words need be found.
	presentRegion = 0.2
	// topMin is the share of the specific words the best passage must hold for the documents to
	// touch the question's subject, for a question that names no region of the corpus.
	topMin = 0.2
	// answerMin is the share of them the best passage must hold to answer the question, and
	// coverMin the share of all the question's words.
	answerMin = 0.7
	coverMin  = 0.35
)

// unknownPlaces records the place names in the question that no document mentions and that are not
// a corpus region: a question about 北京 is not answered by documents about 铜仁.
func (ix *Index) unknownPlaces(q *query) {
	for _, tw := range ix.seg.jieba.Tag(q.folded) {
		word, tag, ok := strings.Cut(tw, "/")
		if !ok || tag != "ns" || utf8.RuneCountInString(word) < 2 || ix.places.known(word) {
			continue
		}
		known := false
		for _, t := range q.terms {
			if (t.text == word || strings.Contains(word, t.text) && utf8.RuneCountInString(t.text) >= 2) && t.df > 0 {
				known = true
			}
		}
		if !known {
			q.unknownPlaces = append(q.unknownPlaces, word)
		}
	}
}

// specific returns, for each word (group) of the question, whether it says what the question is
// about (generic.go): a word of two characters or more, of a part of speech that can (or an unknown
// string read as a word of the corpus, mistyped or shortened), not generic, not a place the corpus
// knows.
func (ix *Index) specific(q *query) []bool {
	tags := map[string]string{}
	for _, tw := range ix.seg.jieba.Tag(q.folded) {
		if word, tag, ok := strings.Cut(tw, "/"); ok {
			tags[word] = tag
		}
	}
	out := make([]bool, len(q.groups))
	for g, gr := range q.groups {
		tag, tagged := tags[gr.text]
		out[g] = utf8.RuneCountInString(gr.text) >= 2 && !generic(gr.text) && !ix.places.known(gr.text) &&
			(!tagged || subjectTags[tag] || gr.read)
	}
	return out
}

// judge weighs what passages hold of a question's specific words, strictly: a synonym written in
// several words stands for a word of the question only when all its words are found (经济 alone is
// not 经济补偿, which stands for 辞退), and the shorter words inside a synonym's word not at all.
type judge struct {
	q      *query
	spec   []bool    // the question's specific words (groups)
	weight []float64 // of each group: its rarity, and for a word no document uses, no more than the rarest word found
	at     map[string]int
}

func newJudge(q *query, spec []bool) *judge {
	j := &judge{q: q, spec: spec, weight: make([]float64, len(q.groups)), at: make(map[string]int, len(q.terms))}
	for ti, t := range q.terms {
		j.at[t.text] = ti
	}
	// A word no document uses is given the rarest weight (weighGroups): its rarity is unknown, and
	// one everyday word the documents do not use must not outweigh every word they do.
	found, rarest := make([]bool, len(q.groups)), 0.0
	for _, t := range q.terms {
		for _, g := range t.covers {
			found[g] = found[g] || t.df > 0
		}
	}
	for g, gr := range q.groups {
		j.weight[g] = gr.weight
		if found[g] {
			rarest = max(rarest, gr.weight)
		}
	}
	for g := range q.groups {
		if !found[g] && rarest > 0 {
			j.weight[g] = min(j.weight[g], rarest)
		}
	}
	return j
}

// share is the weighted share of the specific words that the terms in mask stand for, or, when alts
// is not nil, that they and the synonyms marked found in alts stand for.
func (j *judge) share(mask uint64, alts []bool) float64 {
	return j.shareOf(mask, alts, j.spec)
}

// shareOf is share over the groups keep marks.
func (j *judge) shareOf(mask uint64, alts []bool, keep []bool) float64 {
	q := j.q
	total, got := 0.0, 0.0
	for g, gr := range q.groups {
		if !keep[g] {
			continue
		}
		total += j.weight[g]
		best := 0.0
		for ti, t := range q.terms {
			if !t.direct || mask&(1<<ti) == 0 || !containsInt(t.covers, g) {
				continue
			}
			frac := t.weight / weightWord
			if utf8.RuneCountInString(gr.text) == 1 {
				frac = t.weight / weightSingle
			}
			best = max(best, min(frac, 1))
		}
		for ai, a := range q.alts {
			if containsInt(a.covers, g) && (alts != nil && alts[ai] || alts == nil && j.altIn(ai, mask)) {
				best = max(best, weightSynonym)
			}
		}
		got += j.weight[g] * best
	}
	if total == 0 {
		return 0
	}
	return got / total
}

// altIn reports whether the terms in mask hold every word of synonym ai.
func (j *judge) altIn(ai int, mask uint64) bool {
	for _, w := range j.q.alts[ai].words {
		if ti, ok := j.at[w]; !ok || mask&(1<<ti) == 0 {
			return false
		}
	}
	return true
}

// verdict decides how the best passages answer the question: answer when the best holds its
// specific words and most of the others; none when the corpus does not hold its subject (a place or
// year no document knows, most of its specific words found nowhere, or the sum or number it asks
// for stated nowhere it is found); related otherwise.
func (ix *Index) verdict(q *query, cands, hits []*cand) (Verdict, string) {
	if len(hits) == 0 {
		return VerdictNone, "没有找到相关段落"
	}
	if len(q.unknownPlaces) > 0 {
		return VerdictNone, "文件不涉及" + strings.Join(q.unknownPlaces, "、")
	}
	if y := ix.unknownYear(q); y != "" {
		return VerdictNone, "文件不涉及" + y + "年"
	}
	spec := ix.specific(q)
	j := newJudge(q, spec)
	// The words the documents hold somewhere; a synonym of several words, where they are found
	// together (in one of the best candidates).
	var present uint64
	for ti, t := range q.terms {
		if t.df > 0 {
			present |= 1 << ti
		}
	}
	alts := make([]bool, len(q.alts))
	for ai := range q.alts {
		for _, c := range cands {
			if j.altIn(ai, c.matched) {
				alts[ai] = true
				break
			}
		}
	}
	nSpec := 0
	var missing []string
	for g, s := range spec {
		if !s {
			continue
		}
		nSpec++
		if j.shareOf(present, alts, oneGroup(len(spec), g)) == 0 {
			missing = append(missing, q.groups[g].text)
		}
	}
	top := hits[0]
	named := len(q.regions) > 0
	if nSpec == 0 {
		// Only generic words: the documents may touch on them, but cannot be said to answer.
		if named || top.coverage >= MinCoverage {
			return VerdictRelated, "问题里没有具体的事项"
		}
		return VerdictNone, "问题里没有具体的事项"
	}
	need := presentMin
	if named {
		need = presentRegion
	}
	if s := j.share(present, alts); s < need {
		if len(missing) == 0 {
			return VerdictNone, fmt.Sprintf("文件只涉及问题要点的%.0f%%", 100*s)
		}
		return VerdictNone, "文件不涉及" + strings.Join(missing, "、")
	}
	s := j.share(top.matched, nil)
	if !named && s < topMin {
		return VerdictNone, fmt.Sprintf("最相关的段落只涉及问题要点的%.0f%%", 100*s)
	}
	if kind, ok := ix.valueAbsent(q, hits, j); ok {
		return VerdictNone, "文件没有写明" + kind
	}
	if s < answerMin || top.coverage < coverMin {
		return VerdictRelated, fmt.Sprintf("最相关的段落只覆盖问题要点的%.0f%%", 100*s)
	}
	return VerdictAnswer, ""
}

// unknownYear returns a year the question names that no document is dated in or mentions, or "".
func (ix *Index) unknownYear(q *query) string {
	for _, y := range q.years {
		known := false
		for _, d := range ix.docs {
			if strings.HasPrefix(d.Date, y) {
				known = true
				break
			}
		}
		for _, t := range q.terms {
			if strings.HasPrefix(t.text, y) && t.df > 0 {
				known = true
			}
		}
		if !known {
			return y
		}
	}
	return ""
}

// Values a question may ask for that a passage must state to answer it: a sum of money, a telephone
// number. When none of the best passages states one, the documents name the thing asked about but do
// not say what is asked of it.
var (
	asksMoney = regexp.MustCompile(`多少钱|几块钱|多少元|金额|给多少|拿多少|领多少|补多少|发多少`)
	money     = regexp.MustCompile(`[0-9０-９]+(?:[.．][0-9０-９]+)?\s*(?:元|万元|亿元)|[一二三四五六七八九十百千万]+元`)
	// A sum per person or per month is stated in yuan, or in 万元 with a word that makes it one
	// (每人, 最高 …): 3112.6万元 spent on a subsidy does not say what a person gets.
	perUnit   = regexp.MustCompile(`一个人|每人|每个人|个人能|每月|每个月|一个月|每年|一年能|一次能`)
	unitMoney = regexp.MustCompile(`[0-9０-９]+(?:[.．][0-9０-９]+)?\s*元|(?:每人|每户|每月|人均|最高|不超过|标准)[^。；，]{0,8}?[0-9０-９]+(?:[.．][0-9０-９]+)?\s*万元`)
	asksPhone = regexp.MustCompile(`电话|热线|联系方式|手机号`)
	phone     = regexp.MustCompile(`(?:^|[^0-9])(?:0[0-9]{2,3}[-－—]?[0-9]{7,8}|1[3-9][0-9]{9}|123[0-9]{2}|[0-9]{3,4}[-－—][0-9]{7,8})(?:$|[^0-9])`)
)

// valueAbsent reports the kind of value the question asks for ("金额", "电话") when none of the best
// hits that hold most of the question's specific words states one.
func (ix *Index) valueAbsent(q *query, hits []*cand, j *judge) (string, bool) {
	var want *regexp.Regexp
	kind := ""
	switch {
	case asksMoney.MatchString(q.folded) && perUnit.MatchString(q.folded):
		want, kind = unitMoney, "金额"
	case asksMoney.MatchString(q.folded):
		want, kind = money, "金额"
	case asksPhone.MatchString(q.folded):
		want, kind = phone, "电话"
	default:
		return "", false
	}
	for _, c := range hits[:min(len(hits), verdictDepth)] {
		if j.share(c.matched, nil) < valueSubject {
			continue // a sum, but not of the thing asked about
		}
		if want.MatchString(ix.seg.Fold(ix.text(c.p))) {
			return "", false
		}
	}
	return kind, true
}

// oneGroup marks group g of n.
func oneGroup(n, g int) []bool {
	out := make([]bool, n)
	out[g] = true
	return out
}
