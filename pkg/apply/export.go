package apply

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/dqops-users/dqo-users/pkg/api"
)

// Encode writes users in the file format that Parse reads, sorted by email
// (ignoring case), so that applying the output changes nothing.
//
// withDomains is whether the server has data domains (DQOps 1.13+). Then
// every user is written with dataDomainRoles, {} (or an empty CSV cell) when
// it has none, so the file pins the server's whole state: applying it later
// also removes data-domain roles granted since. Without data domains the
// field (and the CSV column) is left out, since such a server has nothing to
// say about them.
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

func toFileUser(u api.User, withDomains bool) fileUser {
	fu := fileUser{Email: u.Email, AccountRole: u.AccountRole}
	if withDomains {
		roles := u.DataDomainRoles
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
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

// yamlBatch is how many users go to one yaml.Encoder: its event queue makes
// a long sequence quadratic, and top-level block sequences written one after
// another read as one.
const yamlBatch = 256

func encodeYAML(w io.Writer, users []api.User, withDomains bool) error {
	if len(users) == 0 {
		_, err := io.WriteString(w, "users: []\n")
		return err
	}
	if _, err := io.WriteString(w, "users:\n"); err != nil {
		return err
	}
	for chunk := range slices.Chunk(users, yamlBatch) {
		seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, u := range chunk {
			seq.Content = append(seq.Content, yamlUser(u, withDomains))
		}
		enc := yaml.NewEncoder(w)
		enc.SetIndent(2)
		enc.CompactSeqIndent()
		if err := enc.Encode(seq); err != nil {
			return fmt.Errorf("writing YAML: %w", err)
		}
		if err := enc.Close(); err != nil {
			return fmt.Errorf("writing YAML: %w", err)
		}
	}
	return nil
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
		domains := make([]string, 0, len(u.DataDomainRoles))
		for d := range u.DataDomainRoles {
			domains = append(domains, d)
		}
		sort.Strings(domains)
		for _, d := range domains {
			roles.Content = append(roles.Content, yamlStr(d), yamlStr(string(u.DataDomainRoles[d])))
		}
		m.Content = append(m.Content, yamlStr(keyDomainRoles), roles)
	}
	return m
}

func encodeCSV(w io.Writer, users []api.User, withDomains bool) error {
	cw := csv.NewWriter(w)
	header := []string{keyEmail, keyAccountRole}
	if withDomains {
		header = append(header, keyDomainRoles)
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, u := range users {
		record := []string{u.Email, string(u.AccountRole)}
		if withDomains {
			record = append(record, u.DomainRolesString())
		}
		if err := cw.Write(record); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
