package apply

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/output"
)

// Encode writes users in the file format that Parse reads, sorted by email
// (ignoring case), so that applying the output changes nothing.
//
// withDomains is whether the server's user model has dataDomainRoles
// (DQOps 1.13, with or without data domains in use). Then every user is
// written with its grants (User.Grants: the entries whose role is none that
// DQOps lists for every domain are left out), {} (or an empty CSV cell) when
// it has none, so the file pins the server's whole state: applying it later
// also removes data-domain roles granted since. In 1.0 the field (and the
// CSV column) is left out, since such a server has nothing to say about
// them.
func Encode(w io.Writer, format Format, users []api.User, withDomains bool) error {
	users = slices.Clone(users)
	sort.SliceStable(users, func(i, j int) bool {
		return strings.ToLower(users[i].Email) < strings.ToLower(users[j].Email)
	})
	bw := bufio.NewWriter(w)
	var err error
	switch format {
	case FormatYAML:
		err = encodeYAML(bw, users, withDomains)
	case FormatJSON:
		err = encodeJSON(bw, users, withDomains)
	case FormatCSV:
		err = encodeCSV(bw, users, withDomains)
	default:
		err = fmt.Errorf("unknown file format %q", format)
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

// fileUser is a user as a file holds it, fields in the API's order.
type fileUser struct {
	Email           string               `json:"email"`
	AccountRole     api.Role             `json:"accountRole"`
	DataDomainRoles *map[string]api.Role `json:"dataDomainRoles,omitempty"`
}

// toFileUser is a user in its file form: its grants (User.Grants), not the
// entries whose role is none that DQOps lists for every domain.
func toFileUser(u api.User, withDomains bool) fileUser {
	fu := fileUser{Email: u.Email, AccountRole: u.AccountRole}
	if withDomains {
		roles := u.Grants()
		if roles == nil {
			roles = map[string]api.Role{}
		}
		fu.DataDomainRoles = &roles
	}
	return fu
}

func encodeJSON(w io.Writer, users []api.User, withDomains bool) error {
	doc := struct {
		Users []fileUser `json:"users"`
	}{Users: make([]fileUser, len(users))}
	for i, u := range users {
		doc.Users[i] = toFileUser(u, withDomains)
	}
	return output.WriteJSON(w, doc)
}

func encodeYAML(w io.Writer, users []api.User, withDomains bool) error {
	seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	if len(users) == 0 {
		seq.Style = yaml.FlowStyle
	}
	for _, u := range users {
		seq.Content = append(seq.Content, yamlUser(u, withDomains))
	}
	doc := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{yamlStr("users"), seq}}
	return output.WriteYAMLNode(w, doc)
}

func yamlStr(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

func yamlUser(u api.User, withDomains bool) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
		yamlStr(keyEmail), yamlStr(u.Email),
		yamlStr(keyAccountRole), yamlStr(string(u.AccountRole)),
	}}
	if withDomains {
		roles := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: yaml.FlowStyle}
		grants := u.Grants()
		for _, d := range slices.Sorted(maps.Keys(grants)) {
			roles.Content = append(roles.Content, yamlStr(d), yamlStr(string(grants[d])))
		}
		m.Content = append(m.Content, yamlStr(keyDomainRoles), roles)
	}
	return m
}

func encodeCSV(w io.Writer, users []api.User, withDomains bool) error {
	table := &output.Table{Columns: []output.Column{{Name: keyEmail}, {Name: keyAccountRole}}}
	if withDomains {
		table.Columns = append(table.Columns, output.Column{Name: keyDomainRoles})
	}
	table.Rows = make([][]string, len(users))
	for i, u := range users {
		table.Rows[i] = []string{u.Email, string(u.AccountRole), u.GrantsString()}[:len(table.Columns)]
	}
	p := &output.Printer{Out: w, Options: output.Options{Format: output.FormatCSV}}
	// No --jq runs here, so no context can end the printing early.
	return p.Print(context.Background(), nil, table)
}
