package index

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	bleveindex "github.com/blevesearch/bleve_index_api"

	"policybot/corpus"
	"policybot/internal/pii"
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

// Verdict says how the documents answer a question.
type Verdict string

// The three verdicts.
const (
	// VerdictAnswer: the passages answer the question.
	VerdictAnswer Verdict = "answer"
	// VerdictRelated: the documents hold the question's subject, but no passage clearly answers it;
	// the best passages may help.
	VerdictRelated Verdict = "related"
	// VerdictNone: the documents do not cover the question's subject.
	VerdictNone Verdict = "none"
)

// Result is the answer to a question.
type Result struct {
	Query   string
	Verdict Verdict
	// Confident says whether the best passage answers the question (Verdict is VerdictAnswer).
	Confident bool
	Reason    string   // why not an answer, in Chinese, for logs and the admin page
	Regions   []string // corpus regions named in the question
	// ReadAs says how words no document uses were read: "补帖→补贴", "创贷→创业担保贷款".
	ReadAs []string
	Hits   []Hit
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
	tieWeight     = 0.2  // the terms standing for a question word beyond its best match
	covBase       = 0.3  // a passage's score is weighted by covBase + (1-covBase)·coverage
	replyBoost    = 1.3  // a passage opening with yes or no in the question's terms, for a question asking yes or no
	defineBoost   = 0.8  // × the share of the thing defined: a passage defining what a 什么是 question names
	introBoost    = 1.15 // a passage introducing the conditions, materials … a question asks about
	shapeCands    = 30   // candidates checked for a definition or an introduction
	maskPenalty   = 0.04 // per masked run, up to maxMasks
	maxMasks      = 5
	dupThreshold  = 0.6 // resemblance above which two passages are the same passage
	// MinCoverage is the share of the question's words (weighted by rarity) the best passage must
	// hold for the answer to count as confident.
	MinCoverage = 0.55
)

// cand is a passage being scored.
type cand struct {
	p        int // passage index
	score    float64
	matched  uint64 // the query terms found in its text, section path or title (bit i: term i)
	coverage float64
}

// Search finds the passages that best answer question. User text is never parsed as query syntax:
// every character is just text. A person's own phone, 身份证 or card numbers and e-mail addresses in
// it, with the words that name them, are not searched for (pii.Strip): 我电话…，失业金怎么领 asks
// what 失业金怎么领 asks. It returns an error only when the index cannot be read.
func (ix *Index) Search(ctx context.Context, question string, opt Options) (*Result, error) {
	if opt.K <= 0 {
		opt.K = 5
	}
	q := ix.analyse(pii.Strip(question))
	res := &Result{Query: question, Regions: q.regions, ReadAs: q.readAs}
	if opt.Region != "" && len(q.regions) == 0 {
		_, q.regionDocs = ix.places.find(ix.seg.Fold(opt.Region))
	}
	if len(q.terms) == 0 {
		res.Verdict, res.Reason = VerdictNone, "问题中没有可检索的词"
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
	cands, err := ix.score(ctx, r, q)
	if err != nil {
		return nil, err
	}
	ix.unknownPlaces(q)
	ix.rerank(q, cands)
	hits := ix.collapse(cands, max(opt.K, verdictDepth))
	res.Verdict, res.Reason = ix.verdict(q, cands, hits)
	res.Confident = res.Verdict == VerdictAnswer
	hits = hits[:min(len(hits), opt.K)]
	for i, c := range hits {
		p := ix.passage(c.p)
		res.Hits = append(res.Hits, Hit{
			Rank: i + 1, Passage: p, Doc: ix.docs[ix.pdoc[c.p]], Score: round(c.score), Coverage: round(c.coverage),
			Highlights: ix.highlight(p.Text, q, c),
		})
	}
	return res, nil
}

// scratch is the memory one search works in, indexed by Bleve's internal document number and by
// document; it is reused across searches.
type scratch struct {
	num  []slot
	doc  []docSlot
	docs []int32 // the documents with a title match
	part part
}

// bounded is a passage number with a bound of its score.
type bounded struct {
	num uint32
	ub  float64
}

// part is the working memory of a search over a range of document numbers.
type part struct {
	queue   []bounded
	touched []uint32 // the numbers met
	sel     []float32
	exact   map[uint32]*cand // passages already scored exactly, by number
}

// slot is what a search knows of a passage so far.
type slot struct {
	acc  float32 // BM25 so far
	mask uint32  // query terms found so far; 0 for a passage not met yet
}

// docSlot is a document's title match.
type docSlot struct {
	title float32
	mask  uint64
}

func (ix *Index) getScratch() *scratch {
	if s, ok := ix.scratch.Get().(*scratch); ok {
		return s
	}
	return &scratch{num: make([]slot, len(ix.nums)), doc: make([]docSlot, len(ix.docs)), part: part{exact: map[uint32]*cand{}}}
}

func (ix *Index) putScratch(s *scratch) {
	for _, n := range s.part.touched {
		s.num[n] = slot{}
	}
	s.part.touched = s.part.touched[:0]
	clear(s.part.exact)
	for _, d := range s.docs {
		s.doc[d] = docSlot{}
	}
	s.docs = s.docs[:0]
	ix.scratch.Put(s)
}

// termPlan is what the scoring knows of a query term.
type termPlan struct {
	ti     int     // index in q.terms
	w      float64 // weight × idf
	ub     float64 // the most it adds to a passage's text and section score
	fwd    uint32  // number in the forward file
	inFwd  bool
	term   []byte
	inText bool // found in some passage's text
	inSec  bool // found in some section path
}

// score ranks the passages by BM25 over their text plus matches of their section path and document
// title, weighted by how much of the question they cover, and returns the best candidates.
//
// Scores are summed term by term from Bleve's postings, rarest (highest possible contribution)
// first, into arrays indexed by Bleve's document numbers. As soon as the terms left could not lift
// a passage that has not been met into the best candidates, their postings are not read at all:
// the passages met that could still make it are finished from the forward file, which gives each
// term's frequency in a passage directly. The result is the same as reading every posting.
func (ix *Index) score(ctx context.Context, r bleveindex.IndexReader, q *query) ([]*cand, error) {
	s := ix.getScratch()
	defer ix.putScratch(s)
	sr, err := ix.prepare(ctx, r, q, s)
	if err != nil {
		return nil, err
	}
	return sr.run(ctx, r, &s.part, 0, uint64(len(ix.nums)))
}

// prepare weighs the query's terms, bounds what each can add, and sums the documents' title matches.
func (ix *Index) prepare(ctx context.Context, r bleveindex.IndexReader, q *query, s *scratch) (*searcher, error) {
	n, err := r.DocCount()
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	avg := ix.Manifest.AvgLen
	if avg <= 0 {
		avg = 1
	}
	plans := make([]termPlan, len(q.terms))
	for ti := range q.terms {
		t := &q.terms[ti]
		pl := &plans[ti]
		pl.ti, pl.term = ti, []byte(t.text)
		text, err := r.TermFieldReader(ctx, pl.term, fieldText, false, false, false)
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		t.df = text.Count()
		text.Close()
		sec, err := r.TermFieldReader(ctx, pl.term, fieldSection, false, false, false)
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		pl.inSec = sec.Count() > 0
		sec.Close()
		pl.inText = t.df > 0
		t.idf = idf(n, t.df)
		pl.w = t.weight * t.idf
		pl.fwd, pl.inFwd = ix.fwd.lookup(t.text)
		maxTF := bm25K1 + 1
		if pl.inFwd {
			maxTF = float64(ix.fwd.termMax[pl.fwd])
		}
		if pl.inText {
			pl.ub = pl.w * maxTF
		}
		if pl.inSec {
			pl.ub += sectionWeight * pl.w
		}
	}
	q.weighGroups(n)
	cov := newCoverage(q)

	// Title matches are per document: few documents, so they are summed for every one that has a
	// question word in its title.
	sr := &searcher{ix: ix, q: q, s: s, cov: cov, avg: avg, n: n}
	for _, pl := range plans {
		if !pl.inFwd {
			continue
		}
		bit := uint64(1) << pl.ti
		for _, d := range ix.titles[pl.fwd] {
			ds := &s.doc[d]
			if ds.mask == 0 {
				s.docs = append(s.docs, d)
			}
			if ds.mask&bit == 0 {
				ds.mask |= bit
				ds.title += float32(titleWeight * pl.w)
				sr.titleMax = max(sr.titleMax, ds.title)
				sr.titleBits |= bit
			}
		}
	}
	for ti, t := range q.terms {
		if ix.places.known(t.text) {
			sr.placeBits |= 1 << ti
		}
	}
	sr.order = make([]*termPlan, len(plans))
	for i := range plans {
		sr.order[i] = &plans[i]
	}
	sort.SliceStable(sr.order, func(i, j int) bool { return sr.order[i].ub > sr.order[j].ub })
	// rest[j] and restBits[j]: the most the terms from j on can add, and those terms.
	sr.rest = make([]float64, len(sr.order)+1)
	sr.restBits = make([]uint64, len(sr.order)+1)
	for j := len(sr.order) - 1; j >= 0; j-- {
		sr.rest[j] = sr.rest[j+1] + sr.order[j].ub
		sr.restBits[j] = sr.restBits[j+1] | 1<<sr.order[j].ti
	}
	sr.ex = newExact(ix, q, plans, avg, cov, sr.placeBits)
	return sr, nil
}

// searcher is what a search knows before it reads postings. (run searches a range of document
// numbers, so that parts of a large index could be searched at once; two halves at once were no
// faster on two cores, each half having to find its own best candidates.)
type searcher struct {
	ix        *Index
	q         *query
	s         *scratch
	cov       *coverage
	ex        *exact
	avg       float64
	n         uint64
	order     []*termPlan // by bound, highest first
	rest      []float64
	restBits  []uint64
	titleMax  float32
	titleBits uint64
	placeBits uint64
}

// fresh bounds the score of a passage no term before j has met.
func (sr *searcher) fresh(j int) float64 {
	return (sr.rest[j] + float64(sr.titleMax)*slack) * (covBase + (1-covBase)*sr.cov.of(sr.restBits[j]|sr.titleBits|sr.placeBits))
}

// run finds the best candidates among the passages numbered lo to hi.
func (sr *searcher) run(ctx context.Context, r bleveindex.IndexReader, pt *part, lo, hi uint64) ([]*cand, error) {
	ix, q, s := sr.ix, sr.q, sr.s
	theta := 0.0
	tries := 0 // threshold runs over every passage met: a few times at most
	var maxAcc float32
	var doc bleveindex.TermFieldDoc
	done := len(sr.order)
	common := false // common words were left unread
	for j, pl := range sr.order {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if theta > 0 && sr.fresh(j) < theta {
			done = j
			break
		}
		if q.terms[pl.ti].df > commonDF(sr.n) && len(pt.touched) >= candidates {
			// The rest are common words: reading their postings would touch a large part of the
			// corpus for little. The best passages met so far are finished with them below.
			if theta == 0 {
				theta = sr.threshold(pt)
			}
			done, common = j, true
			break
		}
		bit := uint32(1) << pl.ti
		if pl.inText {
			err := postings(ctx, r, pl.term, fieldText, true, lo, hi, &doc, func(num uint64, d *bleveindex.TermFieldDoc) {
				length := 1 / (float64(d.Norm) * float64(d.Norm))
				tf := float64(d.Freq)
				sl := &s.num[num]
				if sl.mask == 0 {
					pt.touched = append(pt.touched, uint32(num))
				}
				sl.acc += float32(pl.w * tf * (bm25K1 + 1) / (tf + bm25K1*(1-bm25B+bm25B*length/sr.avg)))
				sl.mask |= bit
				maxAcc = max(maxAcc, sl.acc)
			})
			if err != nil {
				return nil, err
			}
		}
		if pl.inSec {
			sw := float32(sectionWeight * pl.w)
			err := postings(ctx, r, pl.term, fieldSection, false, lo, hi, &doc, func(num uint64, _ *bleveindex.TermFieldDoc) {
				sl := &s.num[num]
				if sl.mask == 0 {
					pt.touched = append(pt.touched, uint32(num))
				}
				sl.acc += sw
				sl.mask |= bit
				maxAcc = max(maxAcc, sl.acc)
			})
			if err != nil {
				return nil, err
			}
		}
		// Once the terms left could not lift a new passage above the best met so far, find how
		// high a passage must score to be among the best candidates.
		if j+1 < len(sr.order) && sr.fresh(j+1) < float64(maxAcc+sr.titleMax) && sr.fresh(j+1) >= theta && tries < 3 {
			theta = max(theta, sr.threshold(pt))
			tries++
		}
	}
	if theta == 0 {
		theta = sr.threshold(pt)
	}

	// Finish the passages that can still be among the best: score them exactly from the forward
	// file. When common words were left unread, only the best `finish` by the words read are
	// finished: the common words reorder those passages but do not bring in others.
	var cut float32
	if common && len(pt.touched) > finish {
		pt.sel = pt.sel[:0]
		for _, num := range pt.touched {
			if ni := ix.nums[num]; ni.p >= 0 {
				pt.sel = append(pt.sel, s.num[num].acc+s.doc[ni.d].title)
			}
		}
		if len(pt.sel) > finish {
			cut = kth(pt.sel, len(pt.sel)-finish)
		}
	}
	queue := pt.queue[:0]
	defer func() { pt.queue = queue[:0] }()
	for _, num := range pt.touched {
		sl := s.num[num]
		ni := ix.nums[num]
		if ni.p < 0 {
			continue
		}
		d := int(ni.d)
		ds := s.doc[d]
		if sl.acc+ds.title < cut {
			continue
		}
		bound := float64(sl.acc+ds.title)*slack + sr.rest[done]
		if bound < theta {
			continue
		}
		mask := uint64(sl.mask) | ds.mask | sr.restBits[done]
		if q.regionDocs[d] {
			mask |= sr.placeBits
		}
		if ub := bound * (covBase + (1-covBase)*sr.cov.of(mask)); ub >= theta {
			queue = append(queue, bounded{num, ub})
		}
	}
	// Best bound first: once the bound falls below the candidates-th score found, stop.
	sort.Slice(queue, func(i, j int) bool { return queue[i].ub > queue[j].ub })
	top := make([]*cand, 0, candidates+1)
	for _, b := range queue {
		if len(top) == candidates && b.ub < top[len(top)-1].score {
			break
		}
		c := pt.exact[b.num]
		if c == nil {
			ni := ix.nums[b.num]
			c = sr.ex.cand(int(ni.p), int(ni.d), s.doc[ni.d].mask)
		}
		if len(top) == candidates && !less(c, top[len(top)-1]) {
			continue
		}
		top = insertCand(top, c)
	}
	return top, nil
}

// postings calls f for each posting of term in field among the documents numbered lo to hi.
func postings(ctx context.Context, r bleveindex.IndexReader, term []byte, field string, freqNorm bool, lo, hi uint64, doc *bleveindex.TermFieldDoc, f func(uint64, *bleveindex.TermFieldDoc)) error {
	tfr, err := r.TermFieldReader(ctx, term, field, freqNorm, freqNorm, false)
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	defer tfr.Close()
	var d *bleveindex.TermFieldDoc
	if lo == 0 {
		d, err = tfr.Next(doc)
	} else {
		var id [8]byte
		binary.BigEndian.PutUint64(id[:], lo)
		d, err = tfr.Advance(id[:], doc)
	}
	for ; d != nil && err == nil; d, err = tfr.Next(doc) {
		num := binary.BigEndian.Uint64(d.ID)
		if num >= hi {
			break
		}
		f(num, d)
	}
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	return nil
}

// slack widens the bounds by what float32 sums and Bleve's float32 length norms may lose.
const slack = 1 + 1e-4

// commonDF is the number of passages above which a term counts as a common word among n passages:
// once enough passages are met, its postings are not read; it only reorders the passages the
// rarer words found. Below 2048 postings every term is read, so that a small corpus is searched
// exhaustively. (On lawref, 230,000 passages, this is an approximation: for the MSGA questions the
// first passage is the one an exhaustive search finds 96% of the time, and 95% of the first five
// are; a cut-off of n/50 gives 99% and 98% and searches take about 30% longer.)
func commonDF(n uint64) uint64 { return max(2048, n/100) }

// finish is the most passages finished with the terms whose postings were not read.
const finish = 400

// exact scores a passage from the forward file: BM25 of each term in its text, plus the term's
// matches in its section path and title; per word of the question, the best of the terms that stand
// for it (the word itself, the shorter words inside it, its synonyms) plus a small share of the
// others, so that 住房公积金 and the 公积金, 住房, 公积 inside it do not count four times; all weighted
// by how much of the question the passage covers. It is never more than the sum of the terms'
// contributions, which the pruning above uses as the bound.
type exact struct {
	ix     *Index
	q      *query
	plans  []termPlan
	lk     lookup
	avg    float64
	cov    *coverage
	groups [][]int  // the terms standing for each question word
	bits   []uint64 // the query terms' numbers in the forward file, as a set, for a quick test
	place  uint64
	slab   []cand // candidates are allocated from here, a block at a time
}

func newExact(ix *Index, q *query, plans []termPlan, avg float64, cov *coverage, place uint64) *exact {
	e := &exact{ix: ix, q: q, plans: plans, avg: avg, cov: cov, place: place, groups: make([][]int, len(q.groups))}
	for i := range plans {
		if plans[i].inFwd {
			id := plans[i].fwd
			e.lk.add(id, i)
			if w := int(id >> 6); w >= len(e.bits) {
				e.bits = append(e.bits, make([]uint64, w+1-len(e.bits))...)
			}
			e.bits[id>>6] |= 1 << (id & 63)
		}
		for _, g := range q.terms[i].covers {
			e.groups[g] = append(e.groups[g], i)
		}
	}
	return e
}

// cand scores passage p of document d, whose title holds the terms title.
func (e *exact) cand(p, d int, title uint64) *cand {
	score, matched, c := e.score(p, d, title)
	if len(e.slab) == cap(e.slab) {
		e.slab = make([]cand, 0, 256)
	}
	e.slab = append(e.slab, cand{p: p, score: score, matched: matched, coverage: c})
	return &e.slab[len(e.slab)-1]
}

// score returns passage p's score, the terms it matched and its coverage; d is its document and
// title the terms found in the document's title.
func (e *exact) score(p, d int, title uint64) (float64, uint64, float64) {
	var tf [maxTerms]int32
	var sec uint64
	// The passage's words are read inline (this loop runs for some 30,000 words a search): a word
	// that is not a query term, most of them, costs a varint and a bit test.
	b := e.ix.fwd.passWords(p)
	for i := 0; i < len(b); {
		x := uint32(b[i])
		i++
		if x >= 0x80 {
			x &= 0x7F
			for sh := 7; i < len(b) && sh < 35; sh += 7 {
				c := b[i]
				i++
				x |= uint32(c&0x7F) << sh
				if c < 0x80 {
					break
				}
			}
		}
		id := x >> 1
		if w := id >> 6; w < uint32(len(e.bits)) && e.bits[w]&(1<<(id&63)) != 0 {
			if ti, ok := e.lk.find(id); ok {
				tf[ti]++
			}
		}
	}
	length := e.ix.fwd.length(p)
	sw := e.ix.fwd.section(p)
	for t, ok := sw.next(); ok; t, ok = sw.next() {
		if i, ok := e.lk.find(t >> 1); ok {
			sec |= 1 << i
		}
	}
	var contrib [maxTerms]float64
	var mask uint64
	for i := range e.plans {
		c := 0.0
		if tf[i] > 0 {
			c += tfPart(int(tf[i]), length, e.avg)
		}
		if sec&(1<<i) != 0 {
			c += sectionWeight
		}
		if title&(1<<i) != 0 {
			c += titleWeight
		}
		if c > 0 {
			mask |= 1 << i
			contrib[i] = c * e.plans[i].w / float64(len(e.q.terms[i].covers))
		}
	}
	s := 0.0
	for _, g := range e.groups {
		best, sum := 0.0, 0.0
		for _, i := range g {
			sum += contrib[i]
			best = max(best, contrib[i])
		}
		s += best + tieWeight*(sum-best)
	}
	if e.q.regionDocs[d] {
		mask |= e.place
	}
	c := e.cov.of(mask)
	return s * (covBase + (1-covBase)*c), mask, c
}

// insertCand adds c to the list kept best first and at most candidates long.
func insertCand(top []*cand, c *cand) []*cand {
	i := sort.Search(len(top), func(i int) bool { return less(c, top[i]) })
	if len(top) == candidates {
		if i == len(top) {
			return top
		}
		top = top[:len(top)-1]
	}
	top = append(top, nil)
	copy(top[i+1:], top[i:])
	top[i] = c
	return top
}

// threshold returns a score that at least `candidates` passages of a part are sure to reach: the
// lowest exact score of the passages with the best sums so far. The exact scores are kept for the
// finish.
func (sr *searcher) threshold(pt *part) float64 {
	ix, s := sr.ix, sr.s
	if len(pt.touched) < candidates {
		return 0
	}
	pt.sel = pt.sel[:0]
	for _, num := range pt.touched {
		if ni := ix.nums[num]; ni.p >= 0 {
			pt.sel = append(pt.sel, s.num[num].acc+s.doc[ni.d].title)
		}
	}
	if len(pt.sel) < candidates {
		return 0
	}
	cut := kth(pt.sel, len(pt.sel)-candidates) // the candidates-th largest sum
	theta, n := math.Inf(1), 0
	for _, num := range pt.touched {
		ni := ix.nums[num]
		if ni.p < 0 || s.num[num].acc+s.doc[ni.d].title < cut {
			continue
		}
		c := pt.exact[num]
		if c == nil {
			c = sr.ex.cand(int(ni.p), int(ni.d), s.doc[ni.d].mask)
			pt.exact[num] = c
		}
		theta = min(theta, c.score)
		n++
	}
	if n < candidates {
		return 0
	}
	return theta
}

// kth returns the value that would be at index k of xs sorted ascending, reordering xs.
func kth(xs []float32, k int) float32 {
	lo, hi := 0, len(xs)-1
	for lo < hi {
		pivot := xs[(lo+hi)/2]
		i, j := lo, hi
		for i <= j {
			for xs[i] < pivot {
				i++
			}
			for xs[j] > pivot {
				j--
			}
			if i <= j {
				xs[i], xs[j] = xs[j], xs[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return xs[k]
		}
	}
	return xs[k]
}

// lookup finds a query term by its forward-file number: a small open-addressing table, as the check
// runs for every word of every candidate.
type lookup struct {
	keys [128]uint32 // number+1; 0 is empty
	vals [128]int8
}

func (l *lookup) slot(id uint32) int { return int((id * 0x9E3779B1) >> 25) }

func (l *lookup) add(id uint32, ti int) {
	for i := l.slot(id); ; i = (i + 1) & 127 {
		if l.keys[i] == 0 || l.keys[i] == id+1 {
			l.keys[i], l.vals[i] = id+1, int8(ti)
			return
		}
	}
}

func (l *lookup) find(id uint32) (int, bool) {
	for i := l.slot(id); ; i = (i + 1) & 127 {
		switch l.keys[i] {
		case 0:
			return 0, false
		case id + 1:
			return int(l.vals[i]), true
		}
	}
}

// less orders candidates by score, then by position in the corpus, so that ties rank the same way
// every time.
func less(a, b *cand) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.p < b.p
}

// coverage measures the share of the question's words, weighted, that a set of matched terms stands
// for.
type coverage struct {
	total  float64
	groups []groupCover
}

type groupCover struct {
	weight float64
	terms  []termCover
}

type termCover struct {
	bit  uint64
	frac float64 // how fully the term stands for the word: 1 for the word itself
}

// newCoverage measures coverage of the question's words.
func newCoverage(q *query) *coverage {
	c := &coverage{}
	for gi, g := range q.groups {
		c.total += g.weight
		gc := groupCover{weight: g.weight}
		for ti, t := range q.terms {
			if !containsInt(t.covers, gi) {
				continue
			}
			frac := t.weight / weightWord
			if utf8.RuneCountInString(g.text) == 1 {
				frac = t.weight / weightSingle
			}
			gc.terms = append(gc.terms, termCover{bit: 1 << ti, frac: math.Min(frac, 1)})
		}
		c.groups = append(c.groups, gc)
	}
	return c
}

func (c *coverage) of(mask uint64) float64 {
	if c.total == 0 {
		return 0
	}
	got := 0.0
	for _, g := range c.groups {
		best := 0.0
		for _, t := range g.terms {
			if mask&t.bit != 0 && t.frac > best {
				best = t.frac
			}
		}
		got += g.weight * best
	}
	return got / c.total
}

// rerank adjusts the candidates' scores for what BM25 does not see, and sorts them.
func (ix *Index) rerank(q *query, cands []*cand) {
	inForce := 0.0 // the most of the question a passage in force holds
	for _, c := range cands {
		if ix.docs[ix.pdoc[c.p]].InForce() {
			inForce = max(inForce, c.coverage)
		}
	}
	for i, c := range cands {
		d := int(ix.pdoc[c.p])
		if len(q.regionDocs) > 0 {
			switch {
			case q.regionDocs[d]:
				c.score *= regionBoost
			case ix.docs[d].Region != "":
				c.score *= otherRegion
			}
		}
		rec := &ix.st.pass[c.p]
		if m := rec.feat & featMasks; m > 0 {
			c.score *= 1 - maskPenalty*float64(min(m, maxMasks))
		}
		if q.quantity && rec.feat&featFigure != 0 {
			c.score *= figureBoost
		}
		if q.yesNo && fits(q.folded, int(rec.feat>>featReplyShift)) {
			c.score *= replyBoost
		}
		if i < shapeCands {
			if q.subject != "" {
				c.score *= 1 + defineBoost*defines(ix.seg.Fold(ix.text(c.p)), q.subject)
			}
			if rec.intro&q.intro != 0 {
				c.score *= introBoost
			}
		}
		if ix.rebuilt(c.p) {
			c.score *= rebuiltWeight
		}
		c.score *= authority(ix.docs[d], c.coverage, inForce)
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
	var lk lookup
	for ti, t := range q.terms {
		if id, ok := ix.fwd.lookup(t.text); ok {
			lk.add(id, ti)
		}
	}
	pos := make([][]int, len(q.groups)) // each question word's positions in a passage
	for i, c := range cands {
		if i == proxCands {
			break
		}
		c.score *= 1 + proxWeight*ix.proximity(q, &lk, c.p, pos)
	}
	sort.Slice(cands, func(i, j int) bool { return less(cands[i], cands[j]) })
}

// proximity measures how far the question's words keep their order and closeness in passage p: for
// each pair of words next to each other in the question, 1 when they are next to each other in the
// passage, 1/2 when one word apart; averaged over the pairs.
func (ix *Index) proximity(q *query, lk *lookup, p int, pos [][]int) float64 {
	for g := range pos {
		pos[g] = pos[g][:0]
	}
	toks := ix.fwd.words(p)
	at := 0
	for t, more := toks.next(); more; t, more = toks.next() {
		wp := at + 1 // a sub-word takes the position of the word that holds it, which comes next
		if t&subFlag == 0 {
			at++
			wp = at
		}
		if ti, ok := lk.find(t >> 1); ok {
			for _, g := range q.terms[ti].covers {
				pos[g] = append(pos[g], wp)
			}
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
		s := corpus.Shingles(corpus.Skeleton(ix.text(c.p)), 3)
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

// moreComplete reports whether passage a is a more complete version of passage b: of a document in
// force where b's is not, or with fewer masked figures in it or, when they are alike, in its document.
func (ix *Index) moreComplete(a, b int) bool {
	if fa, fb := ix.docs[ix.pdoc[a]].InForce(), ix.docs[ix.pdoc[b]].InForce(); fa != fb {
		return fa
	}
	ma, mb := ix.st.pass[a].feat&featMasks, ix.st.pass[b].feat&featMasks
	if ma != mb {
		return ma < mb
	}
	return ix.docMasks(a) < ix.docMasks(b)
}

// highlight finds the question's words (not particles or single characters alone) in text, the
// text of a passage that matched the terms c.matched: each occurrence of a matched word in the
// folded text, mapped back to the text as written.
func (ix *Index) highlight(text string, q *query, c *cand) []Span {
	var want []string
	for ti, t := range q.terms {
		if c.matched&(1<<ti) != 0 && (utf8.RuneCountInString(t.text) > 1 || len(q.terms) == 1) {
			want = append(want, t.text)
		}
	}
	if len(want) == 0 {
		return nil
	}
	folded := ix.seg.prepare(text)
	back := backMap(text, folded)
	var spans []Span
	for _, w := range want {
		for at := 0; at < len(folded); {
			i := strings.Index(folded[at:], w)
			if i < 0 {
				break
			}
			start := at + i
			spans = append(spans, Span{back(start), back(start + len(w))})
			at = start + len(w)
		}
	}
	// Words overlap (住房公积金 holds 公积金): sort, then merge overlapping spans.
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
var figure = regexp.MustCompile(`[0-9０-９]+(?:[.．][0-9０-９]+)?\s*(?:%|％|‰|万|亿|千|百|元|人|个|個|家|户|戶|次|名|所|项|項|倍|年|个月|天|日|小时|小時|公里|平方米|岁|歲|件|批|场|場|期|座|条|條|处|處)|百分之`)

// calendarYear matches a figure that is a year of the calendar (2025年), which dates a passage
// rather than states how many.
var calendarYear = regexp.MustCompile(`^(?:19|20)[0-9]{2}\s*年$`)

// hasFigure reports whether text states a figure: a number with a unit, or a percentage; a year of
// the calendar is not one.
func hasFigure(text string) bool {
	for _, loc := range figure.FindAllStringIndex(text, -1) {
		if !calendarYear.MatchString(text[loc[0]:loc[1]]) {
			return true
		}
	}
	return false
}

func round(x float64) float64 { return math.Round(x*1000) / 1000 }
