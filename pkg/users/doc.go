// Package users holds the rules about a server's users that every command
// follows: how an email finds a user (Index), the guards on the caller's own
// account and the last admin (Guard), how a user is shown (UserJSON) and how
// a change is described. On them it builds declarative user management: it
// reads a file of users (YAML, JSON or CSV), compares it with the users a
// DQOps server has, makes a Plan of the creates, updates and deletes that
// would make the server match the file, and executes that plan with a
// bounded number of requests in flight.
//
// The file uses the API's own field names. A YAML or JSON document is either
// a list of users or an object {users: [...]}, so "dqo-users list -o json"
// output is valid input:
//
//	users:
//	- email: ana@example.com
//	  accountRole: editor
//	- email: bo@example.com
//	  accountRole: viewer
//	  dataDomainRoles: {sales: editor}
//
// CSV has the header email,accountRole[,dataDomainRoles], with domain roles
// written sales=editor;hr=viewer; ParseOptions.CSVColumns reads other
// column names (an HR export's). The CSV reader skips no row that starts
// with '#': such a row is a user, unless it is an export's mark.
//
// The document form may say which instance it is for (instance: URL, or a
// list of URLs: File.CheckInstance), and, in a file for several instances,
// where each entry applies (instances: or exceptInstances:, File.For); one
// email may then have several entries whose instances do not overlap.
// An export carries a start mark and an end mark (marks.go): a file that has
// the first and not the second was cut off, and is refused.
//
// dataDomainRoles follows one rule everywhere: absent leaves the user's
// data-domain roles alone; present sets exactly those grants, so {} (or an
// empty CSV cell, when the column exists) means "no data-domain roles". An
// entry whose role is none is no grant, in the file as in what DQOps 1.13
// lists ("none" for every domain where the user has no role), so
// {sales: editor} and {"(default)": none, sales: editor} mean the same, and
// plans compare grants only (api.User.Grants). An instance without data
// domains (DQOps 1.0, or 1.13 without them in use) keeps no grant, so {} is
// true of every user there, while a grant cannot be applied to it; on one
// with data domains a grant must name one of them (File.CheckGrants).
//
// The package never prints to a terminal: plans are written to an io.Writer,
// and execution reports through the Progress interface.
package users
