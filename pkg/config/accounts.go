package config

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dqops-users/dqo-users/pkg/files"
)

// accounts are the files that say who belongs to which group, read as
// OpenSSH reads them (getgrgid, getpwent) on a system whose users live in
// /etc: a group's members are those /etc/group lists and the users whose
// primary group it is in /etc/passwd.
type accounts struct {
	groupFile, passwdFile string
}

// systemAccounts are the system's own files.
var systemAccounts = accounts{groupFile: "/etc/group", passwdFile: "/etc/passwd"}

// groupMembers is who belongs to a group.
type groupMembers struct {
	// name is the group's name.
	name string
	// you is whether the user uid is a member; others names every other
	// member (a name /etc/passwd does not know counts as another).
	you    bool
	others []string
}

// members reads who belongs to group gid, judged for the user uid. A group
// that /etc/group does not list (one from a directory service) cannot be
// judged: an error.
func (a accounts) members(gid, uid int) (groupMembers, error) {
	var g groupMembers
	var listed []string // nil until the group is found
	err := eachEntry(a.groupFile, func(f []string) {
		if len(f) >= 4 && listed == nil && f[2] == strconv.Itoa(gid) {
			g.name, listed = f[0], strings.Split(f[3], ",")
		}
	})
	if err != nil {
		return g, err
	}
	if listed == nil {
		return g, fmt.Errorf("it is not in %s", a.groupFile)
	}
	uids := map[string]string{}
	member := func(name, memberUID string) {
		switch {
		case name == "":
		case memberUID == strconv.Itoa(uid):
			g.you = true
		case !slices.Contains(g.others, name):
			g.others = append(g.others, name)
		}
	}
	err = eachEntry(a.passwdFile, func(f []string) {
		if len(f) < 4 {
			return
		}
		if _, seen := uids[f[0]]; !seen {
			uids[f[0]] = f[2]
		}
		if f[3] == strconv.Itoa(gid) {
			member(f[0], f[2])
		}
	})
	if err != nil {
		return g, err
	}
	for _, name := range listed {
		member(strings.TrimSpace(name), uids[strings.TrimSpace(name)])
	}
	return g, nil
}

// eachEntry calls entry with the colon-separated fields of each line of an
// /etc file, skipping comments and NIS's "+" and "-" lines.
func eachEntry(path string, entry func(fields []string)) error {
	data, err := files.ReadFile(context.Background(), path, files.MaxFileSize)
	if err != nil {
		return err
	}
	for line := range strings.Lines(string(data)) {
		line = strings.TrimRight(line, "\r\n")
		if line == "" || line[0] == '#' || line[0] == '+' || line[0] == '-' {
			continue
		}
		entry(strings.Split(line, ":"))
	}
	return nil
}
