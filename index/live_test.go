package index

import (
	"context"
	"strings"
	"testing"

	"policybot/corpus"
)

// TestLiveKeepsStrings: what a server took from a live index (a document with its text, a passage,
// a search's hits) stays whole after the index is swapped for a new one and closed, its files
// unmapped: nothing handed out points into them.
func TestLiveKeepsStrings(t *testing.T) {
	ctx := context.Background()
	data, live := liveWithout(t, "hunan-2025-stable-employment")
	first := live.cur.Load()
	res, err := live.Search(ctx, "失业保险金标准", Options{K: 5})
	if err != nil || len(res.Hits) == 0 {
		t.Fatalf("search: %v", err)
	}
	hit := res.Hits[0]
	doc := live.Document(hit.Doc.ID)
	pass := live.Passage(hit.Passage.ID())
	docs := live.Documents()
	if doc == nil || pass == nil || doc.Text == "" {
		t.Fatal("no document or passage")
	}
	if hit.Doc.Text != "" || docs[0].Text != "" {
		t.Error("the documents listed carry their text, which should stay on disk")
	}
	// Copies made while the index is open, to compare with after it is closed.
	want := []string{strings.Clone(doc.Text), strings.Clone(pass.Text), strings.Clone(hit.Passage.Text),
		strings.Clone(hit.Doc.Title), strings.Clone(pass.Section()), strings.Clone(docs[0].ID)}

	if _, err := Update(ctx, data, seedsExcept(t), UpdateOptions{BuildOptions: seedOptions}); err != nil {
		t.Fatal(err)
	}
	if ok, err := live.Reload(); !ok || err != nil {
		t.Fatalf("reload: %v %v", ok, err)
	}
	if first.refs.Load() != 0 {
		t.Fatal("the replaced index is still open")
	}
	got := []string{doc.Text, pass.Text, hit.Passage.Text, hit.Doc.Title, pass.Section(), docs[0].ID}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("string %d changed after the index closed: %.40q, was %.40q", i, got[i], want[i])
		}
	}
	if want := corpus.LeadText(doc.Text, pass.Lead, pass.Start, pass.End); !pass.Rebuilt && pass.Text != want {
		t.Errorf("the passage is not its document's text at its offsets")
	}
}
