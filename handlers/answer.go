package handlers

import "policybot/index"

// Kind says what an Answer is.
type Kind int

// The kinds of Answer.
const (
	// KindText is a message of plain text: a greeting, help, a notice.
	KindText Kind = iota
	// KindResults is the passages that answer a question, best first (the verdict answer).
	KindResults
	// KindNotCovered says that the documents do not cover a question, and how to go on (the verdict
	// none).
	KindNotCovered
	// KindSection is the whole section of a passage, as the document writes it.
	KindSection
	// KindRelated is passages that may help with a question the documents hold the subject of but
	// do not answer directly (the verdict related): Text is the caveat that says so, shown above them.
	KindRelated
)

// Answer is what a person gets back from a handler, in the script they wrote in, ready for a
// transport to render: package bot renders it as Telegram HTML, the console chat as plain text.
// Every string is plain text (no markup).
type Answer struct {
	Kind  Kind
	Title string   // first line, shown in bold: "问：…", "原文", a greeting; may be ""
	Notes []string // short remarks under the title: the question was cut, a region was preferred
	Text  string   // the body of a text or not-covered answer, a related answer's caveat: lines separated by "\n"
	Hits  []Hit    // passages, best first (for a section view, the one section)
	// Footer closes the answer: which results these are ("第1–3条，共8条").
	Footer  string
	Actions []Action // what the person can do next: buttons in Telegram
	// ID names the server-side state the actions refer to (see Sessions); "" when there are no actions.
	ID string
}

// Hit is one passage as shown to a person.
type Hit struct {
	Rank    int    // from 1; 0 for a section view
	Title   string // the document's title, without 《》
	Section string // section path, levels joined by corpus.SectionSep; "" at the top of a document
	// Text is the passage (for a section view, the whole section): verbatim, or, for a long passage,
	// the sentences around the question's words, verbatim, with "……" where text is left out.
	Text string
	// Highlights are the byte spans in Text of the question's specific words, a few at most.
	Highlights []index.Span
	Citation   string // issuer · region · date
	URL        string // the document's link, "" when it has none
	LinkLabel  string // the words to show for URL
	// Validity marks a document no longer in force: "已废止", "已被取代，现行版本：《…》（2024-12-25）";
	// "" for a document in force. (A document more than three years old is noted once, among the
	// answer's notes.)
	Validity  string
	DocID     string
	PassageID string
}

// ActionKind is something a person can do with an answer.
type ActionKind int

// The actions on an answer.
const (
	ActionMore    ActionKind = iota + 1 // the next results (Arg: the first rank to show)
	ActionSection                       // the whole section of a result (Arg: its rank)
	ActionUp                            // 👍
	ActionDown                          // 👎
	ActionResolve                       // an admin marks an unanswered question resolved (Ref: its id)
	// ActionRated is the rating already recorded, shown in place of 👍 and 👎 (Arg: +1 or -1);
	// pressing it records nothing.
	ActionRated
)

// RatedLabel is the label of the button that shows rating (+1 or -1) was recorded: "👍 已评".
func RatedLabel(rating int) string {
	if rating < 0 {
		return labelDown + " 已评"
	}
	return labelUp + " 已评"
}

// Action is a button under an answer.
type Action struct {
	Kind  ActionKind
	Label string
	Arg   int
	// Ref names what the action acts on when it is not the answer's session (ActionResolve: the
	// query log's id of a question); "" otherwise.
	Ref string
}
