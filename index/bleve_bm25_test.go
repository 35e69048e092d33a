package index

import (
	"bufio"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/blevesearch/bleve/v2"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"policybot/corpus"
)

// The question-answer set of ../shared/eval (msga_answers.jsonl, msga_dev.jsonl), when it is there.
const (
	msgaAnswers   = "../../shared/eval/msga_answers.jsonl"
	msgaQuestions = "../../shared/eval/msga_dev.jsonl"
)

type msgaQuestion struct {
	Q    string   `json:"q"`
	Gold []string `json:"gold_ids"`
}

func readMSGA(b *testing.B) ([]*corpus.Document, []msgaQuestion) {
	b.Helper()
	var docs []*corpus.Document
	var qs []msgaQuestion
	for _, f := range []struct {
		path string
		each func([]byte) error
	}{
		{msgaAnswers, func(line []byte) error {
			var a struct{ ID, Dept, Text string }
			err := json.Unmarshal(line, &a)
			docs = append(docs, &corpus.Document{ID: a.ID, Meta: corpus.Meta{Issuer: a.Dept, Region: "北京市"}, Text: a.Text})
			return err
		}},
		{msgaQuestions, func(line []byte) error {
			var q msgaQuestion
			err := json.Unmarshal(line, &q)
			qs = append(qs, q)
			return err
		}},
	} {
		file, err := os.Open(f.path)
		if err != nil {
			b.Skipf("no question-answer set: %v", err)
		}
		sc := bufio.NewScanner(file)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			if err := f.each(sc.Bytes()); err != nil {
				b.Fatal(err)
			}
		}
		file.Close()
	}
	return docs, qs
}

// mrr scores ranked answer ids: hit@1 and MRR@10, an answer counted at the rank of its best passage.
func mrr(qs []msgaQuestion, ranked func(q string) []string) (hit1, mrr10 float64) {
	for _, q := range qs {
		gold := map[string]bool{}
		for _, g := range q.Gold {
			gold[g] = true
		}
		seen := map[string]bool{}
		for _, id := range ranked(q.Q) {
			if seen[id] {
				continue
			}
			seen[id] = true
			if len(seen) > 10 {
				break
			}
			if gold[id] {
				if len(seen) == 1 {
					hit1++
				}
				mrr10 += 1 / float64(len(seen))
				break
			}
		}
	}
	n := float64(len(qs))
	return hit1 / n, mrr10 / n
}

// BenchmarkBleveBM25 measures Bleve's own BM25 against policybot's on the question-answer set: the
// average field length each uses, and hit@1 and MRR@10 of one OR match query over the passages'
// text scored by Bleve, beside policybot's ranking of the same passages. Run it with
//
//	go test ./index -run '^$' -bench BleveBM25 -benchtime 1x
func BenchmarkBleveBM25(b *testing.B) {
	docs, qs := readMSGA(b)
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		m, err := Build(ctx, dir, docs, BuildOptions{UserDict: seedUserDict, Synonyms: seedSynonyms})
		if err != nil {
			b.Fatal(err)
		}
		ix, err := Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		h1, r10 := mrr(qs, func(q string) []string {
			res, err := ix.Search(ctx, q, Options{K: 40})
			if err != nil {
				b.Fatal(err)
			}
			var ids []string
			for _, h := range res.Hits {
				ids = append(ids, h.Doc.ID)
			}
			return ids
		})
		b.ReportMetric(m.AvgLen, "policybot-avglen")
		b.ReportMetric(h1, "policybot-hit@1")
		b.ReportMetric(r10, "policybot-mrr@10")

		// The same passages indexed the ordinary way (batches of 256 through Bleve's own analysis
		// with the jieba analyzer) under Bleve's BM25, and asked as one OR match query.
		im, err := newMapping(ix.Segmenter())
		if err != nil {
			b.Fatal(err)
		}
		im.ScoringModel = bleveindex.BM25Scoring
		bl, err := bleve.New(filepath.Join(dir, "bm25"), im)
		if err != nil {
			b.Fatal(err)
		}
		batch := bl.NewBatch()
		passages := cutAll(docs)
		for j := range passages {
			p := &passages[j]
			text, section := indexedText(p)
			if err := batch.Index(p.ID(), map[string]interface{}{fieldText: text, fieldSection: section}); err != nil {
				b.Fatal(err)
			}
			if batch.Size() == 256 || j == len(passages)-1 {
				if err := bl.Batch(batch); err != nil {
					b.Fatal(err)
				}
				batch.Reset()
			}
		}
		adv, _ := bl.Advanced()
		r, _ := adv.Reader()
		n, _ := r.DocCount()
		card, _ := r.(bleveindex.BM25Reader).FieldCardinality(fieldText)
		r.Close()
		b.ReportMetric(math.Ceil(float64(card)/float64(n)), "bleve-avglen")
		h1, r10 = mrr(qs, func(q string) []string {
			mq := bleve.NewMatchQuery(q)
			mq.SetField(fieldText)
			req := bleve.NewSearchRequestOptions(mq, 40, 0, false)
			res, err := bl.Search(req)
			if err != nil {
				b.Fatal(err)
			}
			var ids []string
			for _, h := range res.Hits {
				if p := ix.Passage(h.ID); p != nil {
					ids = append(ids, p.DocID)
				}
			}
			return ids
		})
		b.ReportMetric(h1, "bleve-hit@1")
		b.ReportMetric(r10, "bleve-mrr@10")
		bl.Close()
		ix.Close()
	}
}
