package bot

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"policybot/bot/bottest"
	"policybot/corpus"
	"policybot/handlers"
	"policybot/index"
)

// fixed is a searcher of two made-up documents whose every search finds the same passages and
// gives the verdict it is told, so that the rendering of each verdict does not move when the
// ranking or the verdict's rule does.
type fixed struct {
	verdict index.Verdict
	docs    []*corpus.Document
	hits    []index.Hit
}

func newFixed(v index.Verdict) *fixed {
	tongren := &corpus.Document{ID: "tongren-plan", Hash: "t1", Meta: corpus.Meta{Title: "铜仁市“十四五”促进城乡就业创业规划",
		Issuer: "铜仁市人力资源和社会保障局", Region: "贵州省铜仁市", Date: "2022-02"}}
	hunan := &corpus.Document{ID: "hunan-2025", Hash: "h1", Meta: corpus.Meta{Title: "坚持“四个并重”统筹做好稳就业工作",
		Issuer: "湖南省人力资源和社会保障厅", Region: "湖南省", Date: "2025", URL: "https://example.gov.cn/hunan"}}
	texts := []struct {
		doc     *corpus.Document
		section string
		text    string
	}{
		{tongren, "第二章 发展成就", "失业保险金标准逐步提高,从2015年1120元提高到2020年1611元。"},
		{hunan, "01 坚持产业发展和就业促进并重", "发放失业保险金、稳岗返还资金8809.08万元,惠及企业1.2万家。"},
		{tongren, "第四章 主要任务 › 五、完善社会保障", "落实失业保险待遇,按时足额发放失业保险金。"},
		{hunan, "03 坚持保障基本和兜底帮扶并重", "对领取失业保险金期满仍未就业的困难人员,及时纳入就业援助。"},
	}
	f := &fixed{verdict: v, docs: []*corpus.Document{tongren, hunan}}
	for i, x := range texts {
		x.doc.Text += x.text + "\n"
		p := &corpus.Passage{DocID: x.doc.ID, Seq: i, Text: x.text}
		for _, h := range strings.Split(x.section, " › ") {
			p.Path = append(p.Path, corpus.Heading{Text: h})
		}
		f.hits = append(f.hits, index.Hit{Rank: i + 1, Passage: p, Doc: x.doc, Score: float64(10 - i), Coverage: 0.4,
			Highlights: spans(x.text, "失业保险金")})
	}
	return f
}

func (f *fixed) Search(_ context.Context, q string, _ index.Options) (*index.Result, error) {
	r := &index.Result{Query: q, Verdict: f.verdict, Confident: f.verdict == index.VerdictAnswer, Hits: f.hits}
	if f.verdict != index.VerdictAnswer {
		r.Reason = "最相关的段落只覆盖问题的40%"
	}
	return r, nil
}

func (f *fixed) Passage(id string) *corpus.Passage {
	for _, h := range f.hits {
		if h.Passage.ID() == id {
			return h.Passage
		}
	}
	return nil
}

func (f *fixed) Document(id string) *corpus.Document {
	for _, d := range f.docs {
		if d.ID == id {
			return d
		}
	}
	return nil
}

func (f *fixed) Documents() []*corpus.Document { return f.docs }

// TestRenderVerdicts renders the answer of each verdict, as the handlers make it, to the golden files
// (testdata/verdict-*), and checks what a person relies on in each: an answer shows its passages; a
// related one shows the best two under the caveat, with the buttons; none shows the refusal with
// 12333 and no passage or button; a question in traditional script gets the caveat in it too.
func TestRenderVerdicts(t *testing.T) {
	for _, tc := range []struct {
		name     string
		verdict  index.Verdict
		question string
		has      []string // in the message's text
		hasNot   []string
		buttons  string // the keyboard's labels, "" for none
	}{
		{"answer", index.VerdictAnswer, "失业了每个月能领多少钱？",
			[]string{"\n1. ", "\n2. ", "\n3. ", "《铜仁市“十四五”促进城乡就业创业规划》\n铜仁市人力资源和社会保障局 · 贵州省铜仁市 · 2022-02", "第1–3条，共4条"},
			[]string{"可能有关", "12333", "—— "}, "更多结果 👍 👎"},
		{"related", index.VerdictRelated, "失业了每个月能领多少钱？",
			[]string{"问：失业了每个月能领多少钱？\n⚠️ 《铜仁市“十四五”促进城乡就业创业规划》是较早文件，请以最新政策为准\n\n没有找到直接回答这个问题的内容，以下段落可能有关：\n\n《", "\n1. ", "\n2. ", "第1–2条，共4条"},
			[]string{"\n3. ", "12333"}, "更多结果 👍 👎"},
		{"related-traditional", index.VerdictRelated, "失業了每個月能領多少錢？",
			[]string{"問：失業了每個月能領多少錢？\n⚠️ 《銅仁市“十四五”促進城鄉就業創業規劃》是較早文件，請以最新政策為準\n\n沒有找到直接回答這個問題的內容，以下段落可能有關：\n\n《銅仁市", "失業保險金"},
			[]string{"\n3. ", "没有找到", "失业保险金", "爲"}, "更多結果 👍 👎"},
		{"none", index.VerdictNone, "失业了每个月能领多少钱？",
			[]string{"抱歉，现有的政策文件没有涉及这个问题", "12333", "铜仁"},
			[]string{"《", "—— ", "可能有关"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := handlers.New(handlers.Config{Searcher: newFixed(tc.verdict), Now: fixedNow})
			if err != nil {
				t.Fatal(err)
			}
			a := h.Ask(context.Background(), handlers.Who{UserID: 1, ChatID: 1, ChatType: "private"}, tc.question)
			a.ID = "AbCdEfGhIjK" // the session's id is random
			msgs := Render(a)
			if len(msgs) != 1 {
				t.Fatalf("%d messages", len(msgs))
			}
			plain, err := bottest.CheckHTML(msgs[0].HTML)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range tc.has {
				if !strings.Contains(plain, want) {
					t.Errorf("the message lacks %q:\n%s", want, plain)
				}
			}
			for _, not := range tc.hasNot {
				if strings.Contains(plain, not) {
					t.Errorf("the message holds %q:\n%s", not, plain)
				}
			}
			var buttons []string
			if kb := msgs[0].Keyboard; kb != nil {
				for _, row := range kb.InlineKeyboard {
					for _, b := range row {
						buttons = append(buttons, b.Text)
					}
				}
			}
			if got := strings.Join(buttons, " "); got != tc.buttons {
				t.Errorf("buttons %q, want %q", got, tc.buttons)
			}
			kb, _ := json.MarshalIndent(msgs[0].Keyboard, "", "  ")
			golden(t, "verdict-"+tc.name+".html", msgs[0].HTML+"\n\n--- keyboard ---\n"+string(kb)+"\n")
			golden(t, "verdict-"+tc.name+".txt", PlainText(a)+"\n")
		})
	}
}

// TestRelated asks in Telegram a question the documents answer only indirectly: the message shows
// the best two passages under the caveat, 更多结果 goes on under it, and the log has the verdict.
func TestRelated(t *testing.T) {
	hs := start(t, options{searcher: newFixed(index.VerdictRelated)})
	m := hs.exchange(1, bottest.Text(bottest.Private(alice), alice, "失业了每个月能领多少钱？"))[0]
	if !strings.Contains(m.Text, "没有找到直接回答这个问题的内容，以下段落可能有关：") || !strings.Contains(m.Text, "\n2. ") ||
		strings.Contains(m.Text, "\n3. ") {
		t.Errorf("related answer:\n%s", m.Text)
	}
	more := hs.exchange(1, hs.srv.Press(m, alice, "更多结果"))[0]
	if !strings.Contains(more.Text, "以下段落可能有关") || !strings.Contains(more.Text, "\n3. ") || !strings.Contains(more.Text, "\n4. ") {
		t.Errorf("更多结果 of a related answer:\n%s", more.Text)
	}
	if e := hs.qlog.all()[0]; e.Verdict != index.VerdictRelated || e.Confident || len(e.Results) != 2 {
		t.Errorf("log entry %+v", e)
	}
}
