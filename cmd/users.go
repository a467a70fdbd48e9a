package cmd

import (
	"context"
	"io"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/output"
	"github.com/dqops-users/dqo-users/pkg/users"
)

// usersJSON is users as the machine formats show them.
func usersJSON(list []api.User) []users.UserJSON {
	out := make([]users.UserJSON, len(list))
	for i := range list {
		out[i] = *users.NewUserJSON(&list[i])
	}
	return out
}

// roleStyle makes admins stand out in a coloured table.
func roleStyle(value string) output.Style {
	switch api.Role(value) {
	case api.RoleAdmin:
		return output.Bold | output.Red
	case api.RoleEditor:
		return output.Yellow
	case api.RoleNone:
		return output.Dim
	}
	return output.None
}

// usersTable lays users out for table, wide, csv, tsv and name output. The
// DOMAIN ROLES column shows grants (api.User.Grants), never the "none"
// entries DQOps lists for every domain; a table shows it only when some user
// has a grant, while csv and tsv always carry it, so their shape never
// depends on the data.
func usersTable(users []api.User) *output.Table {
	t := &output.Table{Columns: userColumns(), NameColumn: 0, Empty: "no users"}
	anyDomains := false
	for _, u := range users {
		if u.HasGrants() {
			anyDomains = true
			break
		}
	}
	rows := make([][]string, len(users))
	for i, u := range users {
		rows[i] = []string{u.Email, string(u.AccountRole), u.GrantsString()}
	}
	t.Columns[2].Wide = !anyDomains
	t.Rows = rows
	return t
}

// userColumns are the columns of a user, named after the JSON fields.
func userColumns() []output.Column {
	return []output.Column{
		{Name: "email", Header: "EMAIL"},
		{Name: "accountRole", Header: "ROLE", Style: roleStyle},
		{Name: "dataDomainRoles", Header: "DOMAIN ROLES"},
	}
}

// Action is what a write command did to a user, as -o json|yaml prints it.
type Action struct {
	// Action is "created", "updated", "deleted" or "password-changed".
	Action string `json:"action"`
	// User is the user after the change, or the one deleted; for a password
	// change, the email alone.
	User any `json:"user"`
	// Before is the user before the change, or null for a create and a
	// password change.
	Before *users.UserJSON `json:"before"`
	// Password is the password create --generate-password set, shown
	// this once.
	Password string `json:"password,omitempty"`
}

// actionFormats are what -o of a write command accepts.
var actionFormats = []output.Format{output.FormatJSON, output.FormatYAML}

// printActions writes what a write command did on stdout, when -o asked for
// it: one object, or an array when the command was given several emails.
func printActions(w io.Writer, format output.Format, several bool, actions []Action) error {
	var value any = actions
	switch {
	case format == "", !several && len(actions) == 0:
		return nil // nothing asked for, or one email that failed
	case !several:
		value = actions[0]
	}
	switch format {
	case output.FormatJSON:
		return output.WriteJSON(w, value)
	case output.FormatYAML:
		return output.WriteYAML(w, value)
	}
	return nil
}

// writtenUser is the user after a create or an update, for -o json|yaml:
// read back from the server with one request (made only when that output
// was asked for), so that it is the model the server now holds, as get
// shows it: every data domain of an instance with data domains, "none"
// where not granted, and no field from DQOps 1.0. If it cannot be read
// back, the write has still been done: the model sent is shown, and a
// warning says so.
func writtenUser(ctx context.Context, client *api.Client, errOut io.Writer, format output.Format, sent *api.User) *users.UserJSON {
	if format == "" {
		return nil
	}
	u, err := client.GetUser(ctx, sent.Email)
	if err != nil {
		say(errOut, "warning: reading %s back failed, so the user shown is the one sent: %v\n", sent.Email, err)
		return users.NewUserJSON(sent)
	}
	return users.NewUserJSON(u)
}

// emailOnly is the user of a password change: its email alone.
type emailOnly struct {
	Email string `json:"email"`
}
