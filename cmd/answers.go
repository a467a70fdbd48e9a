package cmd

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/text"
)

// How DQOps's answers are read: what a 404, a 403, a 500 or a 400 means for
// the command that got it, with the one extra request that tells, made only
// after such an answer.

// notFound turns a 404 into "user not found", once a probe has shown that
// the URL serves the DQOps API at all.
func notFound(ctx context.Context, client *api.Client, email string, err error) error {
	if !api.IsStatus(err, 404) {
		return err
	}
	if e := notDQOps(ctx, client); e != nil {
		return e
	}
	return errUserNotFound(email)
}

// notDQOps is, after a 404, the error of a URL that does not serve the
// DQOps API (a wrong path prefix answers 404 to everything), which must not
// read as a missing user or an instance not paired with DQOps Cloud; nil
// when the probe finds the API, or cannot tell. It costs a request, made
// only after a 404.
func notDQOps(ctx context.Context, client *api.Client) *ExitError {
	if ok, err := client.ServesAPI(ctx); err != nil || ok {
		return nil
	}
	return errNotDQOps(client, client.ProbedAnswer())
}

// errNotDQOps is the error of a URL that does not serve the DQOps API,
// where GET /api/users got answer (api.Client.ProbedAnswer).
func errNotDQOps(client *api.Client, answer string) *ExitError {
	return &ExitError{Code: ExitFailure, Status: 404,
		Err:  fmt.Errorf("%s %w: it answers %s where DQOps lists its users (/api/users)", client.BaseURL(), errNotDQOpsAPI, text.Safe(answer)),
		Hint: "check --url, DQOPS_URL or the profile's url (`dqo-users config view`), and its path prefix: the API is under /api of the address where DQOps answers"}
}

// errNotDQOpsAPI marks the error of a URL that does not serve the DQOps API:
// a command given several emails stops at it, as every other request would
// meet it too.
var errNotDQOpsAPI = errors.New("does not look like the DQOps API")

func errUserNotFound(email string) *ExitError {
	return &ExitError{Code: ExitNotFound, Status: 404, Err: fmt.Errorf("user %q not found", email),
		Hint: "`dqo-users list` shows the users"}
}

func errAlreadyExists(email string) error {
	return &ExitError{Code: ExitExists, Err: fmt.Errorf("user %q already exists", email),
		Hint: "change its role with `dqo-users update " + email + " --role ROLE`"}
}

func errNotPaired() *ExitError {
	return &ExitError{Code: ExitForbidden, Status: 404,
		Err:  fmt.Errorf("this DQOps instance is not paired with DQOps Cloud, so user management is not available"),
		Hint: "user management needs a TEAM or ENTERPRISE licence and an instance paired with DQOps Cloud; if this is not DQOps, check --url and its path prefix"}
}

// mustExist reads a user, turning a 404 into "not found".
func mustExist(ctx context.Context, client *api.Client, email string) (*api.User, error) {
	u, err := client.GetUser(ctx, email)
	if err != nil {
		return nil, notFound(ctx, client, email, err)
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
		return notFound(ctx, client, email, getErr)
	}
	return err
}

// explainCreateFailure reads DQOps's answers to a failed create: 400 is the
// licence's user limit, and 403 is an existing user when the user exists now
// (the quirk), else a missing permission.
func explainCreateFailure(ctx context.Context, client *api.Client, email string, err error) error {
	switch api.Status(err) {
	case 400:
		return &ExitError{Code: ExitUserLimit, Status: 400, Err: fmt.Errorf("creating user %q: the licence's user limit is reached", email),
			Hint: "`dqo-users whoami` shows the users limit; delete a user or upgrade the licence"}
	case 403:
		if _, getErr := client.GetUser(ctx, email); getErr == nil {
			return errAlreadyExists(email)
		}
	case 404:
		if e := notDQOps(ctx, client); e != nil {
			return e
		}
	}
	return err
}

// explainStatus reads more into an answer that no command explained: a 404
// is checked against the URL (a wrong path prefix answers 404 to every
// request, and DQOps never answers 404 to its list of users), and a 403
// gets its cause (explainForbidden). Each costs one request, made only
// after such an answer.
func explainStatus(ctx context.Context, client *api.Client, err error) error {
	var se *api.StatusError
	var done *ExitError
	if client == nil || !errors.As(err, &se) || errors.As(err, &done) {
		return err
	}
	switch se.StatusCode {
	case http.StatusNotFound:
		if se.Method == http.MethodGet && se.Path == "/api/users" {
			return errNotDQOps(client, "404 Not Found") // the probe's own request
		}
		if e := notDQOps(ctx, client); e != nil {
			return e
		}
	case http.StatusForbidden:
		return explainForbidden(ctx, client, err, se)
	}
	return err
}

// explainForbidden tells, after a 403, which of its two causes it is when
// the caller's profile shows it: the account lacks the permission (its role),
// or the instance has no multi-user licence (not paired with DQOps Cloud, or
// a licence without user management). Otherwise it suggests whoami. It costs
// the profile request, made only after a 403.
func explainForbidden(ctx context.Context, client *api.Client, err error, se *api.StatusError) error {
	e := classify(ctx, err)
	needs := api.RoleAdmin
	if se.Method == http.MethodGet {
		needs = api.RoleViewer
	}
	p, perr := client.Profile(ctx)
	switch {
	case api.IsStatus(perr, http.StatusNotFound):
		e.Hint = "this DQOps instance is not paired with DQOps Cloud, so user management is not available: it needs a TEAM or ENTERPRISE licence and a paired instance"
	case api.IsStatus(perr, http.StatusForbidden):
		e.Hint = "your account's role is none: it may not even read its own profile; an admin can give it a role"
	case perr != nil:
		e.Hint = "`dqo-users whoami` shows what your account may do, and the instance's licence"
	case p.AccountRole.Rank() > needs.Rank():
		e.Hint = fmt.Sprintf("your account's role is %s, and this needs %s or higher", p.AccountRole, needs)
	case p.CanManageUsers != nil && !*p.CanManageUsers || p.LicenseType == "FREE":
		e.Hint = fmt.Sprintf("this DQOps instance's licence (%s) has no user management: it needs TEAM or ENTERPRISE, paired with DQOps Cloud", text.Safe(p.LicenseType))
	default:
		e.Hint = "`dqo-users whoami` shows what your account may do, and the instance's licence"
	}
	return e
}
