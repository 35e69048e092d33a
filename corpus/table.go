package corpus

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Tables flattened one cell per line (a web page's <table> copied as text) are put back together row
// by row, so that a row reads as one unit under its table's header row (see rows).

const (
	maxCellRunes = 30
	minTableRows = 2
	maxColumns   = 8
)

var numericCell = regexp.MustCompile(`^[-+约≈<>≤≥]?\d[\d.,，%％万亿元个人次以内上下左右-]*$`)

// isCell reports a line short and plain enough to be a table cell.
func isCell(t string) bool {
	return utf8.RuneCountInString(t) <= maxCellRunes && !strings.ContainsAny(t, "。，；;,！？")
}

// table is a flattened table found in a run of cell lines.
type table struct {
	cols  int
	cells []line // header row first
}

// findTable looks for a table in cells: a header row of labels, then at least two rows that each
// open with a label and hold at least one figure. It tries every column count and returns the one
// under which every row fits, or false when none does.
func findTable(cells []line) (table, bool) {
	for cols := 2; cols <= maxColumns; cols++ {
		if len(cells)%cols != 0 || len(cells)/cols-1 < minTableRows {
			continue
		}
		if fits(cells, cols) {
			return table{cols: cols, cells: cells}, true
		}
	}
	return table{}, false
}

func fits(cells []line, cols int) bool {
	for _, c := range cells[:cols] {
		if numericCell.MatchString(c.text) {
			return false
		}
	}
	for r := cols; r < len(cells); r += cols {
		row := cells[r : r+cols]
		if numericCell.MatchString(row[0].text) {
			return false
		}
		figures := 0
		for _, c := range row[1:] {
			if numericCell.MatchString(c.text) {
				figures++
			}
		}
		if figures == 0 {
			return false
		}
	}
	return true
}

// tableRow is a rebuilt table row: its text as shown, its own cells and the headers of its columns.
type tableRow struct{ text, cells, headers string }

// cellSep separates the cells of a rebuilt row as shown.
const cellSep = "｜"

// rows renders each data row under its table's header row, each cell as the document writes it and
// in its order, so that the row reads as the table prints it:
//
//	指标｜“十三五”完成情况｜“十四五”期间目标｜指标属性
//	技工院校招生(万人)｜0.15｜0.6｜预期性
func (t table) rows() []tableRow {
	header := t.cells[:t.cols]
	var heads []string
	for _, h := range header {
		heads = append(heads, h.text)
	}
	var out []tableRow
	for r := t.cols; r < len(t.cells); r += t.cols {
		row := t.cells[r : r+t.cols]
		var cells []string
		for _, c := range row {
			cells = append(cells, c.text)
		}
		text := strings.Join(heads, cellSep) + "\n" + strings.Join(cells, cellSep)
		out = append(out, tableRow{text, strings.Join(cells, " "), strings.Join(heads[1:], " ")})
	}
	return out
}

// span is the byte span of the whole table in the document.
func (t table) span() (int, int) {
	return t.cells[0].start, t.cells[len(t.cells)-1].end
}
