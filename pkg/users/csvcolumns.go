package users

import (
	"fmt"
	"strings"

	"github.com/dqops-users/dqo-users/pkg/text"
)

// CSVColumns maps a user's fields (email, accountRole, dataDomainRoles) to
// the columns of a CSV file that hold them, by header name: how an HR
// export with its own column names is read without a converter.
type CSVColumns map[string]string

// ParseCSVColumns reads --csv-columns: FIELD=COLUMN pairs separated by
// commas, a COLUMN that holds a comma or a quote written in double quotes
// ("" for a quote), as in email="Work Email",accountRole=Role.
func ParseCSVColumns(spec string) (CSVColumns, error) {
	cols := CSVColumns{}
	rest := strings.TrimSpace(spec)
	for rest != "" {
		pair := rest
		field, after, ok := strings.Cut(rest, "=")
		field = strings.TrimSpace(field)
		if !ok || field == "" || strings.Contains(field, ",") {
			return nil, fmt.Errorf("--csv-columns %s: write FIELD=COLUMN pairs separated by commas, e.g. email=\"Work Email\",accountRole=Role", text.Cite(spec))
		}
		name := ""
		for _, k := range userKeys {
			if strings.EqualFold(field, k) {
				name = k
			}
		}
		if name == "" {
			return nil, fmt.Errorf("--csv-columns: unknown field %s%s", text.Cite(field), suggestKey(field, userKeys))
		}
		var column string
		after = strings.TrimLeft(after, " \t")
		if strings.HasPrefix(after, `"`) {
			var b strings.Builder
			i := 1
			for {
				j := strings.IndexByte(after[i:], '"')
				if j < 0 {
					return nil, fmt.Errorf("--csv-columns %s: a quoted column name has no closing quote", text.Cite(pair))
				}
				b.WriteString(after[i : i+j])
				i += j + 1
				if !strings.HasPrefix(after[i:], `"`) {
					break
				}
				b.WriteByte('"')
				i++
			}
			column, rest = b.String(), strings.TrimLeft(after[i:], " \t")
			if rest != "" && rest[0] != ',' {
				return nil, fmt.Errorf("--csv-columns %s: a comma must follow a quoted column name", text.Cite(pair))
			}
			rest = strings.TrimPrefix(rest, ",")
		} else {
			column, rest, _ = strings.Cut(after, ",")
			column = strings.TrimSpace(column)
		}
		if strings.TrimSpace(column) == "" {
			return nil, fmt.Errorf("--csv-columns: %s= names no column", name)
		}
		if _, dup := cols[name]; dup {
			return nil, fmt.Errorf("--csv-columns: %s is mapped twice", name)
		}
		for other, c := range cols {
			if strings.EqualFold(strings.TrimSpace(c), strings.TrimSpace(column)) {
				return nil, fmt.Errorf("--csv-columns: column %s is mapped to both %s and %s", text.Cite(column), other, name)
			}
		}
		cols[name] = column
		rest = strings.TrimSpace(rest)
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("--csv-columns is empty: write FIELD=COLUMN pairs, e.g. email=\"Work Email\",accountRole=Role")
	}
	return cols, nil
}
