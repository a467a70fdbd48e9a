// Package directory reads a company directory (LDAP or Active Directory)
// and returns the DQOps users that its groups call for: who, with which
// account role and which data-domain roles. It is the half of
// `dqo-users sync -f sync.yaml` that asks the directory; the plan, guards,
// limits and audit log are apply's.
//
// # The sync file
//
// Load reads and checks a sync file: the ldap: section (where the
// directory is and how to bind to it), users: (who may be a DQOps user),
// groups: (the mappings from groups to roles), unmatched: and keep:, and
// the DQOps instance: it is for. Every key is documented in Reference,
// which `dqo-users help sync` prints.
//
// # Safety
//
// A failed bind or search stops sync with the LDAP result code and the
// server's message, and so does a directory answer without a single
// person: an empty answer is never a reason to demote or delete anyone.
// Every answer is bounded (entries, groups, members of a group, nesting
// depth, bytes received). With Options.Debug every LDAP operation is
// written as the ldapsearch command that does the same, with the time it
// took; the password is shown as -y FILE or -W, never itself.
package directory
