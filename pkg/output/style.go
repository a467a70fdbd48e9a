package output

import (
	"strconv"
	"strings"
)

// Style is how a terminal table shows a cell: attributes and at most one
// colour, combined with |. Combining two colours mixes them as light does:
// Red|Green is Yellow, Red|Blue is Magenta, Green|Blue is Cyan.
type Style uint16

// Styles. None leaves a cell as the terminal shows it by default.
const (
	None      Style = 0
	Bold      Style = 1 << 0
	Dim       Style = 1 << 1
	Italic    Style = 1 << 2
	Underline Style = 1 << 3
)

// The colour is a 3-bit field in the order of ANSI's eight colours (red=1,
// green=2, blue=4), so that | mixes colours, plus a bit saying one is set.
const (
	colorShift = 4
	colorMask  = Style(7) << colorShift
	colorSet   = Style(1) << 7
)

// Colours. Black and white are left out on purpose: one of them is invisible
// on every terminal theme.
const (
	Red     = colorSet | 1<<colorShift
	Green   = colorSet | 2<<colorShift
	Yellow  = colorSet | 3<<colorShift
	Blue    = colorSet | 4<<colorShift
	Magenta = colorSet | 5<<colorShift
	Cyan    = colorSet | 6<<colorShift
)

// Paint wraps text in s's ANSI Select Graphic Rendition sequence and a
// reset, so that every coloured text of the tool (tables, plans) speaks the
// same ANSI. It returns text unchanged for None or an empty text.
func (s Style) Paint(text string) string {
	var codes []string
	for bit, code := range []string{"1", "2", "3", "4"} { // Bold, Dim, Italic, Underline
		if s&(1<<bit) != 0 {
			codes = append(codes, code)
		}
	}
	if s&colorSet != 0 {
		codes = append(codes, strconv.Itoa(30+int(s&colorMask>>colorShift)))
	}
	if len(codes) == 0 || text == "" {
		return text
	}
	return "\x1b[" + strings.Join(codes, ";") + "m" + text + reset
}

// reset turns every attribute and colour off.
const reset = "\x1b[0m"
