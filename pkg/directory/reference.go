package directory

// Reference documents the sync file, for people: `dqo-users help sync`
// prints it, and the package documentation points here, so that the keys
// are described in one place. Its example is a valid file (a test parses
// it).
const Reference = `A sync file says where the directory is, who in it may be a DQOps user,
and which groups give which roles:

  instance: https://dqops.example.com     # optional: the DQOps it is for
  ldap:
    url: ldaps://dc1.example.com          # or ldap://... with startTLS: true
    caFile: /etc/ssl/corp-ca.pem           # also trust these authorities (PEM)
    bindDN: cn=dqo-sync,ou=services,dc=example,dc=com
    bindPasswordFile: /run/secrets/ldap    # or bindPasswordEnv, bindPasswordCommand
    timeout: 30s
  users:
    baseDN: ou=people,dc=example,dc=com
    filter: (&(objectClass=inetOrgPerson)(!(pwdAccountLockedTime=*)))
    emailAttribute: mail
  groups:
    - dn: cn=dqops-admins,ou=groups,dc=example,dc=com
      accountRole: admin
    - dn: cn=analysts,ou=groups,dc=example,dc=com
      accountRole: viewer
      dataDomainRoles:
        sales: editor
    - filter: (&(objectClass=posixGroup)(cn=dq-ops-*))
      baseDN: ou=groups,dc=example,dc=com
      accountRole: operator
  unmatched: keep
  keep:
    - breakglass@example.com

Keys are spelled as shown; an unknown key is refused with its line and the
key it most likely means. Relative paths are taken from the sync file's
directory.

instance: the DQOps instance the file is for, or a list of them. Sync
refuses, before any request, to act on another one (as apply refuses a users
file whose instance: names another); without it, any.

ldap: where the directory is and how to log in to it.

  url        ldaps://HOST[:PORT] (TLS from the start, port 636), or
             ldap://HOST[:PORT] (port 389) with startTLS: true. Plain ldap://
             without startTLS sends the password and every answer in clear:
             it is refused unless HOST is loopback (localhost, 127.0.0.1,
             ::1) or insecure: true is written.
  caFile     a PEM file of certificate authorities to trust besides the
             system's. The server's certificate must name HOST.
  bindDN     the account to bind as; without it the bind is anonymous.
  bindPasswordFile, bindPasswordEnv or bindPasswordCommand
             (one of them, with bindDN): the file holding the password (one
             line), the environment variable holding it, or a command that
             prints it, run with /bin/sh under the trust rules of a profile's
             api_key_command (the sync file, and the directories above it,
             must be writable by you alone). The password itself is never
             written in the sync file nor given on the command line.
  timeout    how long one operation may take (connecting, binding, one page
             of a search), such as 10s or 1m; 30s by default.

users: who may be a DQOps user.

  baseDN     where the people are; searched with its whole subtree.
  filter     which entries there are people who may have access, such as
             (&(objectClass=person)(!(userAccountControl:1.2.840.113556.1.4.803:=2)))
             for enabled Active Directory accounts. A member of a mapped
             group who does not match it gets no access: so disabled
             accounts lose theirs.
  emailAttribute
             the attribute holding the DQOps email; mail by default. A
             member without it is skipped and counted; one with several
             values gets the first, and the check says so.

groups: the mappings from directory groups to DQOps roles, each with one
group and what its members get.

  dn         the group's DN. A DN that does not exist is an error: sync stops
             before anything is sent. A group that exists and has no members
             is shown with 0 members.
  filter and baseDN (instead of dn)
             every group that the filter finds under baseDN; finding none is
             an error.
  accountRole
             admin, editor, operator, viewer or none.
  dataDomainRoles
             data domain to role, on an instance with data domains. Each
             domain is checked against the instance before anything is sent;
             an instance without data domains keeps no grant, so a mapping
             that gives one is refused there (exit 2), as apply refuses such
             a file.

A group's members are the DNs in its member (groupOfNames) or uniqueMember
(groupOfUniqueNames) values, the users whose uid is in its memberUid values
(posixGroup), and the users whose memberOf names it. A member that is itself
a group brings its own members, to any depth; a loop of groups is reported
and followed once. Active Directory's ranged values (member;range=0-1499) are
read to the end. People are read with paged searches (the Simple Paged
Results control), so a directory with more users than its size limit is read
whole.

A person in several mapped groups gets the strongest account role (admin >
editor > operator > viewer > none) and every data-domain role of those
groups, the strongest for each domain. Sync owns the data-domain roles of the
users it manages: each gets exactly the mapped ones, none where no mapping
gives any. Emails match as everywhere in dqo-users: ignoring letter case, so
a person in two groups, or two entries with one email, are one user.

unmatched: what happens to the DQOps users in no mapped group.

  keep       the default: they are counted in the plan and left alone.
  none       each is demoted to role none and loses every data-domain role
             (DQOps keeps them on a demotion); each demotion counts against
             the delete limit (--max-deletes).
  delete     they are deleted; sync refuses to run without --prune, so that
             the file alone never deletes anyone.

keep: emails that sync never changes, whatever the directory says, such as
break-glass administrators and the account that runs sync (whose demotion
the guards would refuse anyway).

A failed bind or search stops sync with the LDAP result code and the
server's message, and so does a directory answer without a single person:
an empty answer is never a reason to demote or delete anyone. Nothing is
sent to DQOps then. Every answer is bounded (entries, groups, members of a
group, nesting depth, bytes received). With --debug every LDAP operation is
written as the ldapsearch command that does the same, with the time it took;
the password is shown as -y FILE or -W, never itself.
`
