// Package output is the one place where dqo-users prints data.
//
// A command hands a [Printer] two things: the JSON-able value it wants to
// show (a slice for lists, a single object for one item) and a [Table] that
// describes how the same data looks as rows and columns. The printer picks
// the form from [Options] (-o/--output, --jq, --template, --no-headers,
// --columns) and whether standard output is a terminal. It knows nothing of
// HTTP or of the DQOps client.
//
// A list that arrives one item at a time goes through Printer.List instead,
// which prints each item as it comes where the format allows, so that memory
// does not grow with the list.
//
// Results go to Printer.Out; only the "no users"-style message of an empty
// table goes to Printer.ErrOut, so scripts reading stdout see nothing at all.
// Every writer makes text from outside safe to show (see Safe).
package output

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/itchyny/gojq"
	"github.com/mattn/go-runewidth"
)

// Format is what -o/--output names, and the format of a users file that
// apply reads and export writes: one type for every command, each of which
// accepts its own set of them.
type Format string

// The formats.
const (
	// FormatTable prints aligned columns with upper-case headers on a
	// terminal, or anywhere when asked for by name (Options.Format); as
	// the default, piped, it prints tab-separated rows without a header. In
	// an aligned table a cell wider than 100 display columns is cut there
	// and ends with "…"; in tab-separated rows every cell is whole.
	FormatTable Format = "table"
	// FormatWide is FormatTable with every column, Column.Wide ones too;
	// being asked for by name, it is always aligned.
	FormatWide Format = "wide"
	// FormatJSON prints the value as indented JSON.
	FormatJSON Format = "json"
	// FormatYAML prints the value as YAML with the same keys as JSON.
	FormatYAML Format = "yaml"
	// FormatCSV prints the table as comma-separated values with a header row.
	FormatCSV Format = "csv"
	// FormatTSV prints the table as tab-separated values with a header row.
	FormatTSV Format = "tsv"
	// FormatName prints the Table.NameColumn cell of each row, one per line
	// (or NUL-terminated, Options.Null), as one word: white space is
	// replaced as Safe replaces controls.
	FormatName Format = "name"
	// FormatText is a plan for people (diff).
	FormatText Format = "text"
)

// Formats returns the formats a printer accepts for -o/--output. The slice
// is new on each call; callers may modify it.
func Formats() []Format {
	return []Format{FormatTable, FormatWide, FormatJSON, FormatYAML, FormatCSV, FormatTSV, FormatName}
}

// Names returns the names of formats, for flag help and shell completion.
func Names(formats []Format) []string {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = string(f)
	}
	return names
}

// ParseFormat reads the name of a format as every -o and --format take
// it: in any letter case, "yml" for yaml. It fails, naming the accepted
// formats, when s is none of them.
func ParseFormat(s string, accepted ...Format) (Format, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	if name == "yml" {
		name = string(FormatYAML)
	}
	if slices.Contains(accepted, Format(name)) {
		return Format(name), nil
	}
	names := Names(accepted)
	use := strings.Join(names, ", ")
	if n := len(names); n > 1 {
		use = strings.Join(names[:n-1], ", ") + " or " + names[n-1]
	}
	return "", fmt.Errorf("unknown format %q: use %s", s, use)
}

// Options are the user's output choices, usually straight from the flags.
type Options struct {
	// Format is one of the Formats. Empty means the default: FormatTable,
	// or FormatJSON when JQ or Template is set. Callers must leave it empty
	// when the user did not give -o (flag default ""), so that "--jq" alone
	// is accepted while "-o table --jq" is refused.
	Format Format
	// JQ is a jq expression applied to the JSON form of the value (--jq).
	JQ string
	// Template is a Go text/template applied to the JSON form of the value
	// (--template).
	Template string
	// NoHeaders leaves out the header row of table, wide, csv and tsv
	// (--no-headers). Other formats ignore it: a piped table never has one.
	NoHeaders bool
	// Columns selects and orders the columns of table, wide, csv and tsv by
	// Column.Name (--columns). Matching ignores case; an element may itself
	// be a comma-separated list. Empty means the format's default set.
	Columns []string
	// Null ends each name of -o name with a NUL byte rather than a line
	// break (--null, -0), for `xargs -0`.
	Null bool
}

// format returns the effective format name, resolving the empty default.
func (o Options) format() Format {
	switch {
	case o.Format != "":
		return o.Format
	case o.JQ != "" || o.Template != "":
		return FormatJSON
	default:
		return FormatTable
	}
}

// Validate reports, as a *UsageError, options that cannot work: an unknown
// format, a flag that the format does not take, a jq expression or template
// that does not parse, and, when columns is given, a --columns name that is
// not among them. Commands call it before any network request so that a
// typo fails fast with exit code 2; Print and List call it again with the
// table's columns.
func (o Options) Validate(columns ...Column) error {
	// Flags read formats with ParseFormat; here a format is one exactly.
	if o.Format != "" && !slices.Contains(Formats(), o.Format) {
		return usageErrorf("unknown output format %q; valid formats: %s",
			o.Format, strings.Join(Names(Formats()), ", "))
	}
	if o.JQ != "" && o.Template != "" {
		return usageErrorf("--jq and --template cannot be used together")
	}
	if o.JQ != "" || o.Template != "" {
		flag := "--jq"
		if o.Template != "" {
			flag = "--template"
		}
		if f := o.format(); f != FormatJSON {
			return usageErrorf("%s works only with --output json, not %q", flag, f)
		}
		if _, err := o.program(context.Background(), nil, false); err != nil {
			return err
		}
	}
	// --jq and --template have gone with json alone.
	if o.Null && o.format() != FormatName {
		return usageErrorf("--null works only with --output name")
	}
	names := o.columnNames()
	switch {
	case len(names) == 0:
		return nil
	case !slices.Contains([]Format{FormatTable, FormatWide, FormatCSV, FormatTSV}, o.format()):
		return usageErrorf("--columns works only with --output table, wide, csv or tsv")
	case len(columns) > 0:
		_, err := selectColumns(columns, names, false)
		return err
	}
	return nil
}

// columnNames flattens Options.Columns, which may hold comma-separated lists
// (pflag's StringArray does not split, StringSlice does), and drops blanks.
func (o Options) columnNames() []string {
	var names []string
	for _, c := range o.Columns {
		for n := range strings.SplitSeq(c, ",") {
			if n = strings.TrimSpace(n); n != "" {
				names = append(names, n)
			}
		}
	}
	return names
}

// UsageError is an output option the user got wrong. The caller maps it to
// the usage exit code (2) and may print the command's usage with it. Match it
// with errors.As.
type UsageError struct {
	msg string
	err error
}

func usageErrorf(format string, args ...any) *UsageError {
	return &UsageError{msg: fmt.Sprintf(format, args...)}
}

// Error returns the message meant for the user.
func (e *UsageError) Error() string { return e.msg }

// Unwrap returns the parse error behind the message, if any (a
// *gojq.ParseError for --jq, the text/template error for --template).
func (e *UsageError) Unwrap() error { return e.err }

// compileJQ parses and compiles a --jq expression. Compiling as well as
// parsing catches unknown functions and variables before any request is made.
// With each, when the expression begins by iterating the list, it compiles
// the part that runs on each item instead (perItem); each reports whether
// it did.
func compileJQ(expr string, each bool) (*gojq.Code, bool, error) {
	q, err := gojq.Parse(expr)
	if err != nil {
		return nil, false, &UsageError{msg: jqParseMessage(expr, err), err: err}
	}
	if rest := perItem(q); each && rest != nil {
		q = rest
	} else {
		each = false
	}
	code, err := gojq.Compile(q)
	if err != nil {
		return nil, false, &UsageError{msg: "invalid --jq expression: " + err.Error(), err: err}
	}
	return code, each, nil
}

// jqParseMessage shows the expression with a caret under the place where
// parsing failed, as gojq's own command does, since "unexpected token" alone
// rarely tells which of several identical tokens is meant.
func jqParseMessage(expr string, err error) string {
	var pe *gojq.ParseError
	if !errors.As(err, &pe) {
		return "invalid --jq expression: " + err.Error()
	}
	// Offset counts the bytes read up to and including the bad token; the
	// caret goes under the token's first byte.
	start := min(max(pe.Offset-len(pe.Token), 0), len(expr))
	lineStart := strings.LastIndexByte(expr[:start], '\n') + 1
	line := strings.Count(expr[:start], "\n") + 1
	text, _, _ := strings.Cut(expr[lineStart:], "\n")
	// A tab would make the caret line's width depend on the terminal.
	text = strings.ReplaceAll(text, "\t", " ")
	column := runewidth.StringWidth(text[:start-lineStart])
	return fmt.Sprintf("invalid --jq expression: %s at line %d, column %d\n    %s\n    %s^",
		pe.Error(), line, column+1, text, strings.Repeat(" ", column))
}

// Count says how many of a thing there are: "1 user", "2 users".
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// JSONErrors reports whether the user asked for machine output (-o json or
// yaml), in which case errors are written as JSON objects too.
func (o Options) JSONErrors() bool {
	return o.Format == FormatJSON || o.Format == FormatYAML
}
