package cmd

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
)

// validateEmails checks every email argument and reports all bad ones at once.
func validateEmails(emails []string) error {
	var bad []string
	for _, e := range emails {
		if err := api.ValidateEmail(e); err != nil {
			bad = append(bad, err.Error())
		}
	}
	if len(bad) > 0 {
		return usageErrorf("%s", strings.Join(bad, "; "))
	}
	return nil
}

// uniqueEmails drops repeated emails, comparing without case, keeping order.
func uniqueEmails(emails []string) []string {
	seen := make(map[string]bool, len(emails))
	out := emails[:0:0]
	for _, e := range emails {
		k := strings.ToLower(e)
		if !seen[k] {
			seen[k] = true
			out = append(out, e)
		}
	}
	return out
}

// parseRoleFlag reads a --role value.
func parseRoleFlag(flag, value string) (api.Role, error) {
	r, err := api.ParseRole(value)
	if err != nil {
		return "", usageErrorf("--%s: %v", flag, err)
	}
	return r, nil
}

// parseDomainRoles reads repeated --domain-role DOMAIN=ROLE values.
func parseDomainRoles(values []string) (map[string]api.Role, error) {
	if len(values) == 0 {
		return nil, nil
	}
	roles := make(map[string]api.Role, len(values))
	for _, v := range values {
		domain, role, ok := strings.Cut(v, "=")
		domain = strings.TrimSpace(domain)
		if !ok || domain == "" {
			return nil, usageErrorf("--domain-role %q: use DOMAIN=ROLE, e.g. sales=editor", v)
		}
		r, err := api.ParseRole(role)
		if err != nil {
			return nil, usageErrorf("--domain-role %q: %v", v, err)
		}
		if _, dup := roles[domain]; dup {
			return nil, usageErrorf("--domain-role: data domain %q is given twice", domain)
		}
		roles[domain] = r
	}
	return roles, nil
}

// requireDataDomains fails with a usage error when the server is a release
// without data domains, so that domain roles are never silently dropped.
func requireDataDomains(ctx context.Context, f *Factory, client *api.Client, flag string) (*api.Profile, error) {
	p, err := f.caller(ctx, client)
	if err != nil {
		return nil, err
	}
	if !p.SupportsDataDomains() {
		return nil, withHint(usageErrorf("%s needs DQOps 1.13 or later: this server (release %s) has no data domains", flag, p.Release()),
			"remove the data-domain flags, or upgrade DQOps")
	}
	return p, nil
}

// newPassword gets a new password: from stdin with --password-stdin, else
// from a no-echo prompt asked twice. Nothing is sent until it is known.
func newPassword(ctx context.Context, f *Factory, fromStdin bool, what string) ([]byte, error) {
	if fromStdin {
		pw, err := f.IO.ReadStdinSecret(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading the password from stdin: %w", err)
		}
		if len(pw) == 0 {
			return nil, usageErrorf("the password read from stdin is empty")
		}
		return pw, nil
	}
	if !f.IO.CanPrompt() {
		return nil, usageErrorf("a password is needed and there is no terminal to ask it on: pass --password-stdin and the password on stdin")
	}
	pw, err := f.IO.ReadNewPassword(ctx, what)
	switch {
	case errors.Is(err, iostreams.ErrMismatch), errors.Is(err, iostreams.ErrEmptyPassword):
		return nil, withHint(usageErrorf("%v: nothing was changed", err), "run the command again and type the same password twice")
	case err != nil:
		return nil, err
	}
	return pw, nil
}

// notFound turns a 404 into "user not found".
func notFound(email string, err error) error {
	if api.IsStatus(err, 404) {
		return errUserNotFound(email)
	}
	return err
}

func errUserNotFound(email string) *ExitError {
	return &ExitError{Code: ExitNotFound, Status: 404, Err: fmt.Errorf("user %q not found", email),
		Hint: "`dqo-users list` shows the users"}
}

// mustExist reads a user, turning a 404 into "not found".
func mustExist(ctx context.Context, client *api.Client, email string) (*api.User, error) {
	u, err := client.GetUser(ctx, email)
	if err != nil {
		return nil, notFound(email, err)
	}
	return u, nil
}

// explainMissing turns DQOps's 500 for a missing user (update, password)
// into "not found" when a fresh read confirms the user is gone.
func explainMissing(ctx context.Context, client *api.Client, email string, err error) error {
	if !api.IsStatus(err, 500) {
		return err
	}
	if _, getErr := client.GetUser(ctx, email); api.IsStatus(getErr, 404) {
		return notFound(email, getErr)
	}
	return err
}

func registerRoleCompletion(c *cobra.Command, flag string) {
	_ = c.RegisterFlagCompletionFunc(flag, fixedCompletion(api.RoleNames()...))
}

func fixedCompletion(values ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}

// completionTimeout bounds the request that fetches emails for completion,
// so that a slow or absent server never hangs the shell.
const completionTimeout = 2 * time.Second

// completeEmails offers the server's users' emails, silently nothing when
// not configured or unreachable.
func (f *Factory) completeEmails(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	// Completion must answer at once: one short attempt, no retries, and a
	// profile's api_key_command gets no more time than the request.
	f.Global.Timeout = completionTimeout
	f.Global.Retries = 0
	f.KeyCommandTimeout = completionTimeout
	client, err := f.Client()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	ctx, cancel := context.WithTimeout(c.Context(), completionTimeout)
	defer cancel()
	users, err := client.ListUsers(ctx)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	taken := make(map[string]bool, len(args))
	for _, a := range args {
		taken[strings.ToLower(a)] = true
	}
	prefix := strings.ToLower(toComplete)
	var emails []string
	for _, u := range users {
		l := strings.ToLower(u.Email)
		if !taken[l] && strings.HasPrefix(l, prefix) {
			emails = append(emails, u.Email+"\t"+string(u.AccountRole))
		}
	}
	sort.Strings(emails)
	return emails, cobra.ShellCompDirectiveNoFileComp
}

// completeFirstEmail completes only the first argument, for commands that
// take one email.
func (f *Factory) completeFirstEmail(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return f.completeEmails(c, args, toComplete)
}

// completeProfiles offers the configured profile names.
func (f *Factory) completeProfiles(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	cfg, err := f.Config()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var names []string
	for _, p := range cfg.Profiles() {
		names = append(names, p.Name+"\t"+p.URL)
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}

// countUsers says "1 user" or "N users".
func countUsers(n int) string {
	if n == 1 {
		return "1 user"
	}
	return fmt.Sprintf("%d users", n)
}
