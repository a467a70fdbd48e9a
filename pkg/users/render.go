package users

import (
	"bufio"
	"fmt"
	"io"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/output"
	"github.com/dqops-users/dqo-users/pkg/text"
)

// String renders one change as the plan shows it: "+ create EMAIL (ROLE)",
// "~ update EMAIL: role viewer -> editor", "- delete EMAIL (ROLE)", and for
// a refused change "!" in place of the sign and the reason at the end.
// Data-domain roles show as grants (User.Grants). The plan writes a
// change's Warning on a line of its own below it.
func (c Change) String() string {
	var s string
	switch c.Action {
	case ActionCreate:
		s = "+ create " + c.Email + " (" + roleSummary(*c.After) + ")"
	case ActionUpdate:
		s = "~ update " + c.Email + ": " + c.Describe()
		if c.CountsAsDelete {
			s += " (in no mapped group; counts as a delete)"
		}
	case ActionDelete:
		s = "- delete " + c.Email + " (" + string(c.Before.AccountRole) + ")"
	}
	if c.Refused != "" {
		s = "!" + s[1:] + " refused: " + string(c.Refused)
	}
	return s
}

func roleSummary(u api.User) string {
	if d := u.GrantsString(); d != "" {
		return string(u.AccountRole) + "; domain roles " + d
	}
	return string(u.AccountRole)
}

// style is the colour of a change's line in the plan.
func (c Change) style() output.Style {
	switch {
	case c.Refused != "":
		return output.Bold | output.Red
	case c.Action == ActionCreate:
		return output.Green
	case c.Action == ActionUpdate:
		return output.Yellow
	}
	return output.Red
}

// Summary is the plan's last line, e.g. "Plan: 1 to create, 2 to update,
// 0 to delete, 7 unchanged."
func (p *Plan) Summary() string {
	s := fmt.Sprintf("Plan: %d to create, %d to update, %d to delete, %d unchanged",
		p.Count(ActionCreate), p.Count(ActionUpdate), p.Count(ActionDelete), p.Unchanged)
	if n := p.Refused(); n > 0 {
		s += fmt.Sprintf(", %d refused", n)
	}
	s += "."
	switch {
	case p.Prune || p.NotInFile == 0:
	case p.Unmatched == UnmatchedKeep:
		s += fmt.Sprintf(" %s in no mapped group, left as %s (unmatched: keep).", onServer(p.NotInFile), oneOrMany(p.NotInFile, "it is", "they are"))
	case p.Unmatched == UnmatchedNone:
		s += fmt.Sprintf(" %s in no mapped group, demoted to none where %s not already.", onServer(p.NotInFile), oneOrMany(p.NotInFile, "it is", "they are"))
	case p.NotInFile == 1:
		s += " 1 user on the server is not in the file; --prune would delete it."
	default:
		s += fmt.Sprintf(" %d users on the server are not in the file; --prune would delete them.", p.NotInFile)
	}
	if p.Kept > 0 {
		s += fmt.Sprintf(" %s under keep:, left as %s.", output.Count(p.Kept, "user"), oneOrMany(p.Kept, "it is", "they are"))
	}
	return s
}

// onServer is "1 user on the server is" or "N users on the server are".
func onServer(n int) string {
	return output.Count(n, "user") + " on the server " + oneOrMany(n, "is", "are")
}

// oneOrMany is one when n is 1, else many.
func oneOrMany(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// WriteText writes the plan for people: one line per change, then the
// summary. An in-sync plan is the summary alone. color adds ANSI colours.
func (p *Plan) WriteText(w io.Writer, color bool) error {
	bw := bufio.NewWriter(w)
	for _, c := range p.Changes {
		line := text.Safe(c.String())
		if color {
			line = c.style().Paint(line)
		}
		bw.WriteString(line)
		bw.WriteByte('\n')
		if w := c.Warning(); w != "" {
			line = "  warning: " + text.Safe(w)
			if color {
				line = (output.Bold | output.Yellow).Paint(line)
			}
			bw.WriteString(line)
			bw.WriteByte('\n')
		}
	}
	bw.WriteString(p.Summary())
	bw.WriteByte('\n')
	return bw.Flush()
}

// planJSON is the machine-readable plan of "diff -o json".
type planJSON struct {
	InSync    bool         `json:"inSync"`
	Caller    string       `json:"caller,omitempty"`
	Prune     bool         `json:"prune"`
	Unmatched Unmatched    `json:"unmatched,omitempty"`
	Counts    countsJSON   `json:"counts"`
	Changes   []changeJSON `json:"changes"`
}

type countsJSON struct {
	Create    int `json:"create"`
	Update    int `json:"update"`
	Delete    int `json:"delete"`
	Unchanged int `json:"unchanged"`
	Refused   int `json:"refused"`
	NotInFile int `json:"notInFile"`
	Kept      int `json:"kept,omitempty"`
}

type changeJSON struct {
	Action  Action    `json:"action"`
	Email   string    `json:"email"`
	Line    int       `json:"line,omitempty"`
	Before  *UserJSON `json:"before,omitempty"`
	After   *UserJSON `json:"after,omitempty"`
	Refused Refusal   `json:"refused,omitempty"`
	Warning string    `json:"warning,omitempty"`
	// CountsAsDelete marks a demotion that delete limits count.
	CountsAsDelete bool `json:"countsAsDelete,omitempty"`
}

// WriteJSON writes the plan as one indented JSON object: inSync, the
// counts, and each change with the user before and after (their grants,
// as the plan compares them) and its warning, if any. Server text is
// escaped as output.WriteJSON escapes it.
func (p *Plan) WriteJSON(w io.Writer) error {
	out := planJSON{
		InSync:    p.InSync(),
		Caller:    p.Caller,
		Prune:     p.Prune,
		Unmatched: p.Unmatched,
		Counts: countsJSON{
			Create: p.Count(ActionCreate), Update: p.Count(ActionUpdate), Delete: p.Count(ActionDelete),
			Unchanged: p.Unchanged, Refused: p.Refused(), NotInFile: p.NotInFile, Kept: p.Kept,
		},
		Changes: p.changesJSON(),
	}
	// output.WriteJSON escapes what a terminal must not see raw (C1
	// controls, bidi and zero-width characters, DEL) as list -o json does.
	return output.WriteJSON(w, out)
}

// changesJSON are the plan's changes as diff -o json and a saved plan
// write them.
func (p *Plan) changesJSON() []changeJSON {
	out := make([]changeJSON, 0, len(p.Changes))
	for _, c := range p.Changes {
		out = append(out, changeJSON{
			Action: c.Action, Email: c.Email, Line: c.Line,
			Before: grantsJSON(c.Before), After: grantsJSON(c.After), Refused: c.Refused, Warning: c.Warning(),
			CountsAsDelete: c.CountsAsDelete,
		})
	}
	return out
}

// grantsJSON is a user of the plan as the machine formats show it, with
// its grants for dataDomainRoles; nil for nil.
func grantsJSON(u *api.User) *UserJSON {
	if u == nil {
		return nil
	}
	withGrants := *u
	withGrants.DataDomainRoles = u.Grants()
	return NewUserJSON(&withGrants)
}
