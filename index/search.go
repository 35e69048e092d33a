package index

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	bleveindex "github.com/blevesearch/bleve_index_api"

	"policybot/corpus"
)

// Options tune a search.
type Options struct {
	K int // number of results, 5 when 0
	// Region is a region the person asked to narrow to (/region 铜仁): its documents are preferred as
	// if the question named it.
	Region string
}

// Span is a byte range in a passage's text.
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Hit is one passage found for a question.
type Hit struct {
	Rank       int // from 1
	Passage    *corpus.Passage
	Doc        *corpus.Document
	Score      float64
	Coverage   float64 // share of the question's words (weighted by rarity) the passage holds
	Highlights []Span  // the question's words in Passage.Text
}

// Result is the answer to a question.
type Result struct {
	Query string
	// Confident says whether the best passage answers the question: it holds most of the question's
	// words, and the question names no place the corpus knows nothing about.
	Confident bool
	Reason    string   // why not confident, in Chinese, for logs and the admin page
	Regions   []string // corpus regions named in the question
	Hits      []Hit
}

// Ranking parameters.
const (
	bm25K1        = 1.2
	bm25B         = 0.75
	sectionWeight = 0.4 // a question word in the passage's section path
	titleWeight   = 0.2 // a question word in the document's title
	candidates    = 100 // passages re-ranked after the first BM25 pass
	regionBoost   = 1.6 // a passage of the region the question names
	otherRegion   = 0.75
	figureBoost   = 1.15 // a passage with figures, for a question that asks how many
	rebuiltWeight = 0.85 // a table row rebuilt from cells: its header words repeat in every row
	yearBoost     = 1.15 // a passage of a document dated in the year the question names
	proxWeight    = 0.3  // question words next to each other in the passage, as in the question
	proxCands     = 30   // candidates checked for proximity
	maskPenalty   = 0.04 // per masked run, up to maxMasks
	maxMasks      = 5
	dupThreshold  = 0.6 // resemblance above which two passages are the same passage
	// MinCoverage is the share of the question's words (weighted by rarity) the best passage must
	// hold for the answer to count as confident.
	MinCoverage = 0.55
)

// cand is a passage being scored.
type cand struct {
	id       string // Bleve's internal id
	p        int    // passage index
	score    float64
	matched  []float64 // per term: 1 when found in the text, section or title
	coverage float64
}

// Search finds the passages that best answer question. User text is never parsed as query syntax:
// every character is just text. It returns an error only when the index cannot be read.
func (ix *Index) Search(ctx context.Context, question string, opt Options) (*Result, error) {
	if opt.K <= 0 {
		opt.K = 5
	}
	q := ix.analyse(question)
	res := &Result{Query: question, Regions: q.regions}
	if opt.Region != "" && len(q.regions) == 0 {
		_, q.regionDocs = ix.places.find(ix.seg.Fold(opt.Region))
	}
	if len(q.terms) == 0 {
		res.Reason = "问题中没有可检索的词"
		return res, nil
	}
	adv, err := ix.bl.Advanced()
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer r.Close()
	n, err := r.DocCount()
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	cands, err := ix.score(ctx, r, q, n)
	if err != nil {
		return nil, err
	}
	ix.unknownPlaces(q)
	ix.rerank(q, cands)
	hits := ix.collapse(cands, opt.K)
	for i, c := range hits {
		p := &ix.passages[c.p]
		res.Hits = append(res.Hits, Hit{
			Rank: i + 1, Passage: p, Doc: ix.docs[ix.pdoc[c.p]], Score: round(c.score), Coverage: round(c.coverage),
			Highlights: ix.highlight(p.Text, q, c),
		})
	}
	res.Confident, res.Reason = ix.verdict(q, res.Hits)
	return res, nil
}

// score runs BM25 over the passages' text, plus matches in section paths and titles, and returns the
// best candidates with the terms each matched.
func (ix *Index) score(ctx context.Context, r bleveindex.IndexReader, q *query, n uint64) ([]*cand, error) {
	byID := map[string]*cand{}
	avg := ix.Manifest.AvgLen
	if avg <= 0 {
		avg = 1
	}
	maxIDF := idf(n, 0)
	inRegion, err := ix.regionPassages(ctx, r, q)
	if err != nil {
		return nil, err
	}
	for ti := range q.terms {
		t := &q.terms[ti]
		for _, f := range []string{fieldText, fieldSection, fieldTitle} {
			tfr, err := r.TermFieldReader(ctx, []byte(t.text), f, true, true, false)
			if err != nil {
				return nil, fmt.Errorf("search: %w", err)
			}
			if f == fieldText {
				t.df = tfr.Count()
				t.idf = idf(n, t.df)
			}
			w := t.weight * t.idf
			var doc bleveindex.TermFieldDoc
			for {
				d, err := tfr.Next(&doc)
				if err != nil {
					tfr.Close()
					return nil, fmt.Errorf("search: %w", err)
				}
				if d == nil {
					break
				}
				c := byID[string(d.ID)]
				if c == nil {
					c = &cand{id: string(d.ID), p: -1, matched: make([]float64, len(q.terms))}
					byID[string(d.ID)] = c
				}
				switch f {
				case fieldText:
					tf := float64(d.Freq)
					length := 1 / (d.Norm * d.Norm)
					c.score += w * tf * (bm25K1 + 1) / (tf + bm25K1*(1-bm25B+bm25B*length/avg))
				case fieldSection:
					c.score += sectionWeight * w
				case fieldTitle:
					c.score += titleWeight * w
				}
				c.matched[ti] = 1
			}
			tfr.Close()
		}
	}
	// Question words the corpus never uses weigh as much as the rarest word.
	for gi := range q.groups {
		g := &q.groups[gi]
		g.weight = maxIDF
		for _, t := range q.terms {
			if t.text == g.text && t.df > 0 {
				g.weight = t.idf
			}
		}
		if utf8.RuneCountInString(g.text) == 1 {
			g.weight *= weightSingle
		}
	}
	// A question's place name is answered by the documents of that place, whether or not the passage
	// repeats the name.
	var placeTerms []int
	for ti, t := range q.terms {
		if ix.places.known(t.text) {
			placeTerms = append(placeTerms, ti)
		}
	}
	list := make([]*cand, 0, len(byID))
	for _, c := range byID {
		if inRegion[c.id] {
			for _, ti := range placeTerms {
				c.matched[ti] = 1
			}
		}
		c.coverage = q.coverage(c.matched)
		c.score *= 0.3 + 0.7*c.coverage
		list = append(list, c)
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].score != list[j].score {
			return list[i].score > list[j].score
		}
		return list[i].id < list[j].id
	})
	if len(list) > candidates {
		list = list[:candidates]
	}
	// Map Bleve's internal ids to passages for the candidates only.
	out := list[:0]
	for _, c := range list {
		ext, err := r.ExternalID(bleveindex.IndexInternalID(c.id))
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		pi, ok := ix.passIdx[ext]
		if !ok {
			continue
		}
		c.p = pi
		out = append(out, c)
	}
	return out, nil
}

// regionPassages returns the internal ids of the passages of the documents of the regions the
// question names.
func (ix *Index) regionPassages(ctx context.Context, r bleveindex.IndexReader, q *query) (map[string]bool, error) {
	out := map[string]bool{}
	for d := range q.regionDocs {
		tfr, err := r.TermFieldReader(ctx, []byte(ix.docs[d].ID), fieldDoc, false, false, false)
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		var doc bleveindex.TermFieldDoc
		for {
			td, err := tfr.Next(&doc)
			if err != nil {
				tfr.Close()
				return nil, fmt.Errorf("search: %w", err)
			}
			if td == nil {
				break
			}
			out[string(td.ID)] = true
		}
		tfr.Close()
	}
	return out, nil
}

// less orders candidates by score, then by position in the corpus, so that ties rank the same way
// every time.
func less(a, b *cand) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.p < b.p
}

// coverage is the share of the question's words, weighted, that matched terms stand for.
func (q *query) coverage(matched []float64) float64 {
	var total, got float64
	for gi, g := range q.groups {
		total += g.weight
		best := 0.0
		for ti, t := range q.terms {
			if matched[ti] == 0 || !containsInt(t.covers, gi) {
				continue
			}
			frac := t.weight / weightWord
			if utf8.RuneCountInString(g.text) == 1 {
				frac = t.weight / weightSingle
			}
			if frac > best {
				best = math.Min(frac, 1)
			}
		}
		got += g.weight * best
	}
	if total == 0 {
		return 0
	}
	return got / total
}

// rerank adjusts the candidates' scores for what BM25 does not see, and sorts them.
func (ix *Index) rerank(q *query, cands []*cand) {
	for _, c := range cands {
		d := ix.pdoc[c.p]
		if len(q.regionDocs) > 0 {
			switch {
			case q.regionDocs[d]:
				c.score *= regionBoost
			case ix.docs[d].Region != "":
				c.score *= otherRegion
			}
		}
		p := &ix.passages[c.p]
		if m := corpus.Masks(p.Text); m > 0 {
			c.score *= 1 - maskPenalty*float64(min(m, maxMasks))
		}
		if q.quantity && hasFigure(p.Text) {
			c.score *= figureBoost
		}
		if p.Rebuilt {
			c.score *= rebuiltWeight
		}
		for _, y := range q.years {
			if strings.HasPrefix(ix.docs[d].Date, y) {
				c.score *= yearBoost
				break
			}
		}
	}
	sort.Slice(cands, func(i, j int) bool { return less(cands[i], cands[j]) })
	if len(q.groups) < 2 {
		return
	}
	for i, c := range cands {
		if i == proxCands {
			break
		}
		c.score *= 1 + proxWeight*ix.proximity(q, &ix.passages[c.p])
	}
	sort.Slice(cands, func(i, j int) bool { return less(cands[i], cands[j]) })
}

// proximity measures how far the question's words keep their order and closeness in the passage: for
// each pair of words next to each other in the question, 1 when they are next to each other in the
// passage, 1/2 when one word apart; averaged over the pairs.
func (ix *Index) proximity(q *query, p *corpus.Passage) float64 {
	termGroups := make(map[string][]int, len(q.terms))
	for _, t := range q.terms {
		termGroups[t.text] = t.covers
	}
	pos := make([][]int, len(q.groups))
	text := p.Text
	if p.Rebuilt {
		text = p.Cells
	}
	for _, tk := range ix.seg.Tokenize(text) {
		for _, g := range termGroups[tk.Term] {
			pos[g] = append(pos[g], tk.Pos)
		}
	}
	sum := 0.0
	for g := 0; g+1 < len(q.groups); g++ {
		best := math.MaxInt
		for _, a := range pos[g] {
			for _, b := range pos[g+1] {
				if d := b - a; d > 0 && d < best {
					best = d
				}
			}
		}
		switch best {
		case 1:
			sum++
		case 2:
			sum += 0.5
		}
	}
	return sum / float64(len(q.groups)-1)
}

// collapse keeps the best k candidates that are not near-duplicates of a better one; of two
// near-duplicates, the more complete (fewer masked figures) takes the better one's place.
func (ix *Index) collapse(cands []*cand, k int) []*cand {
	var kept []*cand
	var sh []map[uint64]struct{}
	for _, c := range cands {
		if len(kept) == k {
			break
		}
		s := corpus.Shingles(corpus.Skeleton(ix.passages[c.p].Text), 3)
		dup := -1
		for i := range kept {
			if corpus.Resemblance(s, sh[i]) >= dupThreshold {
				dup = i
				break
			}
		}
		if dup < 0 {
			kept = append(kept, c)
			sh = append(sh, s)
			continue
		}
		if ix.moreComplete(c.p, kept[dup].p) {
			c.score = kept[dup].score
			kept[dup], sh[dup] = c, s
		}
	}
	return kept
}

// moreComplete reports whether passage a is a more complete version of passage b: fewer masked
// figures in it or, when they are alike, in its document.
func (ix *Index) moreComplete(a, b int) bool {
	ma, mb := corpus.Masks(ix.passages[a].Text), corpus.Masks(ix.passages[b].Text)
	if ma != mb {
		return ma < mb
	}
	return ix.masks[ix.pdoc[a]] < ix.masks[ix.pdoc[b]]
}

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

// verdict decides whether the best passage answers the question.
func (ix *Index) verdict(q *query, hits []Hit) (bool, string) {
	if len(hits) == 0 {
		return false, "没有找到相关段落"
	}
	if len(q.unknownPlaces) > 0 {
		return false, "文件不涉及" + strings.Join(q.unknownPlaces, "、")
	}
	if hits[0].Coverage < MinCoverage {
		return false, fmt.Sprintf("最相关的段落只覆盖问题的%.0f%%", 100*hits[0].Coverage)
	}
	return true, ""
}

// highlight finds the question's words (not particles or single characters alone) in text.
func (ix *Index) highlight(text string, q *query, c *cand) []Span {
	want := map[string]bool{}
	for ti, t := range q.terms {
		if c.matched[ti] > 0 && (utf8.RuneCountInString(t.text) > 1 || len(q.terms) == 1) {
			want[t.text] = true
		}
	}
	var spans []Span
	for _, tk := range ix.seg.Tokenize(text) {
		if want[tk.Term] {
			spans = append(spans, Span{tk.Start, tk.End})
		}
	}
	// Search mode lists a word's sub-words before it: sort, then merge overlapping spans.
	sort.Slice(spans, func(i, j int) bool { return spans[i].Start < spans[j].Start })
	var out []Span
	for _, s := range spans {
		if n := len(out); n > 0 && s.Start <= out[n-1].End {
			out[n-1].End = max(out[n-1].End, s.End)
			continue
		}
		out = append(out, s)
	}
	return out
}

// figure matches a quantity: a number with a unit, or a percentage.
var figure = regexp.MustCompile(`[0-9０-９]+(?:[.．][0-9０-９]+)?\s*(?:%|％|‰|万|亿|千|百|元|人|个|個|家|户|戶|次|名|所|项|項|倍|年|个月|天|小时|小時|公里|平方米|岁|歲|件|批|场|場|期|座|条|條|处|處)|百分之`)

// hasFigure reports whether text states a figure: a number with a unit, or a percentage.
func hasFigure(text string) bool { return figure.MatchString(text) }

func round(x float64) float64 { return math.Round(x*1000) / 1000 }
