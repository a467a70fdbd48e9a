package cmd

import (
	"context"
	"io"
	"net/http"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/users"
)

// caller reads the profile of the account the key belongs to; a 404 means
// the instance is not paired with DQOps Cloud.
func caller(ctx context.Context, client *api.Client) (*api.Profile, error) {
	p, err := client.Profile(ctx)
	if err != nil {
		if api.IsStatus(err, 404) {
			if e := notDQOps(ctx, client); e != nil {
				return nil, e
			}
			return nil, errNotPaired()
		}
		return nil, err
	}
	return p, nil
}

// callerAndUsers reads who the caller is and every user, with one profile
// and one list call: what delete, apply and diff start from. Users that no
// request can name are left out, with a warning on w, and a user listed
// twice is one (users.Usable).
func callerAndUsers(ctx context.Context, client *api.Client, w io.Writer) (*api.Profile, []api.User, error) {
	p, err := caller(ctx, client)
	if err != nil {
		return nil, nil, err
	}
	list, err := client.ListUsers(ctx)
	if err != nil {
		return nil, nil, err
	}
	list, unreachable := users.Usable(list)
	warnUnreachable(w, unreachable)
	return p, list, nil
}

// instanceFlavour reads which of the three kinds of instance the server is,
// as api.Client.DecideFlavour decides: from the caller's profile, which it
// returns too; when DQOps refuses the profile (403, as it does to a caller
// with role none), from the users' dataDomainRoles, with one list call, and
// the profile is nil. When the list is refused too, the profile's error is
// returned.
func instanceFlavour(ctx context.Context, client *api.Client) (api.Flavour, *api.Profile, error) {
	p, err := caller(ctx, client)
	if err == nil {
		return client.DecideFlavour(p, nil), p, nil
	}
	if !api.IsStatus(err, http.StatusForbidden) {
		return 0, nil, err
	}
	users, lerr := client.ListUsers(ctx)
	if lerr != nil {
		return 0, nil, err
	}
	return client.DecideFlavour(nil, users), nil, nil
}
