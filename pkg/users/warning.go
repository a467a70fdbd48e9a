package users

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/text"
)

// Grant is one data-domain role of a user.
type Grant struct {
	Domain string
	Role   api.Role
}

// StrongerGrants returns the data-domain grants that an update changing
// the account role leaves stronger than the new account role, sorted by
// domain. DQOps keeps data-domain grants when the account role changes, so
// a user demoted to viewer may still be admin in "(default)". Nil for a
// change that leaves the account role as it was, and for creates and
// deletes.
func (c Change) StrongerGrants() []Grant {
	if c.Action != ActionUpdate || c.Before == nil || c.After == nil || c.Before.AccountRole == c.After.AccountRole {
		return nil
	}
	account := c.After.AccountRole.Rank()
	var stronger []Grant
	grants := c.After.Grants()
	for _, domain := range slices.Sorted(maps.Keys(grants)) {
		if rank := grants[domain].Rank(); rank >= 0 && rank < account {
			stronger = append(stronger, Grant{Domain: domain, Role: grants[domain]})
		}
	}
	return stronger
}

// Warning words StrongerGrants for people, with what removes them: when
// the file's entry gives them (FileGrants), leaving them out of it, since
// applying the file again would give them back; else the update command.
// "" when there are none. update prints it, and the plan of diff and apply
// shows it under the change.
func (c Change) Warning() string {
	stronger := c.StrongerGrants()
	if len(stronger) == 0 {
		return ""
	}
	held := make([]string, len(stronger))
	remove := make([]string, len(stronger))
	for i, g := range stronger {
		held[i] = string(g.Role) + " in " + text.Cite(g.Domain)
		remove[i] = "--remove-domain-role " + shellWord(g.Domain)
	}
	noun, pronoun := "role", "it"
	if len(stronger) > 1 {
		noun, pronoun = "roles", "them"
	}
	keeps := fmt.Sprintf("%s keeps the data-domain %s %s, stronger than its new account role %s",
		text.CiteBare(c.Email), noun, strings.Join(held, ", "), c.After.AccountRole)
	switch {
	case c.FileGrants && c.Line == 0:
		// Entries that come from no line of a users file: sync's, whose
		// mappings give the grants.
		return fmt.Sprintf("%s; to remove %s, leave %s out of the dataDomainRoles that the file gives", keeps, pronoun, pronoun)
	case c.FileGrants:
		return fmt.Sprintf("%s; to remove %s, write the entry at line %d with dataDomainRoles that leave %s out ({} for none)",
			keeps, pronoun, c.Line, pronoun)
	}
	return fmt.Sprintf("%s; to remove %s: dqo-users update %s %s", keeps, pronoun, shellWord(c.Email), strings.Join(remove, " "))
}

// shellWord writes a value from the server as one word a shell reads back
// as the value: bare when it holds only characters no shell treats
// specially, else in double quotes ("(default)"), else in single quotes;
// a value with characters that are not printable is quoted with Go's
// escapes, so that it never reaches a terminal raw, and a long one is cut
// as every message cuts it.
func shellWord(s string) string {
	switch {
	case s == "":
		return `""`
	case utf8.RuneCountInString(s) > text.CiteLimit:
		return text.Cite(s)
	}
	plain, printable := true, true
	for _, r := range s {
		switch {
		case text.Unsafe(r) || r == utf8.RuneError:
			printable = false
		case !(r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("@%+=:,./_-", r))):
			plain = false
		}
	}
	switch {
	case !printable:
		return strconv.Quote(s)
	case plain:
		return s
	case !strings.ContainsAny(s, "\"\\$`!"):
		return `"` + s + `"`
	case !strings.Contains(s, "'"):
		return "'" + s + "'"
	}
	return strconv.Quote(s)
}
