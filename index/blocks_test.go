package index

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

// The compressed text reads back, range by range, as it was written: within a block, across blocks,
// through forced cuts in long runs without a passage start, with and without a dictionary.
func TestBlocksRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"第一条", "劳动者", "用人单位", "应当", "依法", "缴纳", "社会保险费", "。", "\n", "a", "1", "（一）", "𠀋"}
	for _, size := range []int{0, 10, 100, 5000, 300000, 6 << 20} {
		var docs []string
		var all strings.Builder
		for all.Len() < size {
			var d strings.Builder
			for n := rng.IntN(40000); d.Len() < n; {
				d.WriteString(words[rng.IntN(len(words))])
			}
			docs = append(docs, d.String())
			all.WriteString(d.String())
		}
		var comp bytes.Buffer
		bw := newBlockWriter(func(b []byte) { comp.Write(b) })
		for _, d := range docs {
			var cuts []int
			for at := rng.IntN(800); at < len(d); at += 1 + rng.IntN(800) {
				if rng.IntN(20) == 0 {
					at += 20000 // a long passage, cut inside
				}
				cuts = append(cuts, at)
			}
			bw.add(d, cuts)
		}
		bw.finish()
		text := all.String()
		br, err := newBlockReader(comp.Bytes(), bw.dictB, bw.start, bw.offset, len(text))
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		if size > 64 && (br.dict == nil) != (len(text) < 4*16) {
			t.Errorf("size %d: dictionary %v", size, br.dict != nil)
		}
		if len(text) > 0 && comp.Len() >= len(text) && size > 1000 {
			t.Errorf("size %d: %d bytes compressed to %d", size, len(text), comp.Len())
		}
		for range 2000 {
			if len(text) == 0 {
				break
			}
			a := rng.IntN(len(text))
			b := a + rng.IntN(min(len(text)-a, 40000)+1)
			if got := br.text(uint32(a), uint32(b)); got != text[a:b] {
				t.Fatalf("size %d: text(%d, %d) reads %d bytes unlike the %d written", size, a, b, len(got), b-a)
			}
		}
		if got := br.text(0, uint32(len(text))); got != text {
			t.Fatalf("size %d: the whole text does not read back", size)
		}
	}
}

// A damaged block reads as no text, never as other text or a panic.
func TestBlocksDamaged(t *testing.T) {
	text := strings.Repeat("失业保险金的申领条件和标准。", 2000)
	var comp bytes.Buffer
	bw := newBlockWriter(func(b []byte) { comp.Write(b) })
	bw.add(text, []int{5000, 10000, 20000})
	bw.finish()
	b := comp.Bytes()
	for i := range b {
		b[i] ^= 0x5a
	}
	br, err := newBlockReader(b, bw.dictB, bw.start, bw.offset, len(text))
	if err != nil {
		t.Fatal(err)
	}
	if got := br.text(100, 200); got != "" && got != text[100:200] {
		t.Errorf("a damaged block reads %q", got)
	}
	if _, err := newBlockReader(b[:len(b)-1], bw.dictB, bw.start, bw.offset, len(text)); err == nil {
		t.Error("blocks shorter than their table open")
	}
}

// Ranking reads what a passage's text says of its shape from its record: it must be what the text,
// as searches read it, says.
func TestPassageFeatures(t *testing.T) {
	figures, replies, intros := 0, 0, 0
	for i := range shared.st.pass {
		rec := shared.st.pass[i]
		text := shared.text(i)
		feat, intro := passageFeatures(text, shared.seg.Fold)
		if feat != rec.feat || intro != rec.intro {
			t.Fatalf("passage %d: stored features %x %x, its text %x %x: %.60s", i, rec.feat, rec.intro, feat, intro, text)
		}
		if hasFigure(text) != (feat&featFigure != 0) || introduced(shared.seg.Fold(text)) != intro {
			t.Fatalf("passage %d: the prefilters miss: %.60s", i, text)
		}
		if feat&featFigure != 0 {
			figures++
		}
		if feat>>featReplyShift != 0 {
			replies++
		}
		if intro != 0 {
			intros++
		}
	}
	if figures == 0 {
		t.Errorf("no passage of the seed corpus states a figure")
	}
	seg := shared.seg
	for _, tc := range []struct {
		text       string
		masks      uint32
		figure     bool
		reply      string
		introduces string
	}{
		{"申請人應當具備以下條件：（一）……", 0, false, "", "条件"},
		{"可以。符合条件的，每人补贴3000元。", 0, true, "可以", ""},
		{"  不需要，按百分之五十缴纳，电话****，身份证×××。", 2, true, "不需要", ""},
		{"2025年起施行。", 0, false, "", ""},
	} {
		feat, intro := passageFeatures(tc.text, seg.Fold)
		reply := ""
		if w := feat >> featReplyShift; w > 0 {
			reply = replyWords[w-1]
		}
		want := uint32(0)
		if tc.introduces != "" {
			want = introduction(tc.introduces)
		}
		if feat&featMasks != tc.masks || (feat&featFigure != 0) != tc.figure || reply != tc.reply || intro != want {
			t.Errorf("%q: masks %d, figure %v, reply %q, intro %x", tc.text, feat&featMasks, feat&featFigure != 0, reply, intro)
		}
	}
	t.Logf("%d passages: %d with figures, %d replies, %d introductions", len(shared.st.pass), figures, replies, intros)
}

func TestMayFigure(t *testing.T) {
	for text, want := range map[string]bool{"第3条": true, "第３条": true, "百分之五": true, "第三条。": false, "": false, "ｘ＊": false} {
		if got := mayFigure(text); got != want {
			t.Errorf("mayFigure(%q) = %v", text, got)
		}
	}
}
