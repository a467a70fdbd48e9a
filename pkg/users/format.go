package users

import (
	"bytes"
	"path/filepath"
	"strings"

	"github.com/dqops-users/dqo-users/pkg/output"
)

// Format is a file format that apply reads and export writes: the output
// package's one format type.
type Format = output.Format

// The file formats.
const (
	FormatYAML = output.FormatYAML
	FormatJSON = output.FormatJSON
	FormatCSV  = output.FormatCSV
)

// Formats lists the file formats, for flag help and completion.
func Formats() []Format {
	return []Format{FormatYAML, FormatJSON, FormatCSV}
}

// DetectFormat decides the format of a file that was given no --format: by
// the name's extension, else by its content. Content that starts with { or [
// is JSON; a CSV export's start mark, or a first line that is a CSV header
// naming the email column, is CSV; anything else is YAML. (Lines that start
// with '#' are passed over here only: they are YAML comments, and a CSV
// reader takes them as rows.)
func DetectFormat(name string, data []byte) Format {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml":
		return FormatYAML
	case ".json":
		return FormatJSON
	case ".csv":
		return FormatCSV
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		return FormatJSON
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, csvStartMark+",") || line == csvStartMark {
			return FormatCSV
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		first, _, hasComma := strings.Cut(line, ",")
		first = strings.ToLower(strings.Trim(strings.TrimSpace(first), `"`))
		if !strings.Contains(line, ":") && (first == "email" || (hasComma && isColumn(first))) {
			return FormatCSV
		}
		break
	}
	return FormatYAML
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}
