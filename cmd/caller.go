package cmd

import (
	"context"

	"github.com/dqops-users/dqo-users/pkg/api"
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
// and one list call: what delete, export and apply start from.
func callerAndUsers(ctx context.Context, client *api.Client) (*api.Profile, []api.User, error) {
	p, err := caller(ctx, client)
	if err != nil {
		return nil, nil, err
	}
	users, err := client.ListUsers(ctx)
	if err != nil {
		return nil, nil, err
	}
	return p, users, nil
}

// requireDataDomains fails with a usage error when the server is a release
// without data domains, so that domain roles are never silently dropped.
func requireDataDomains(ctx context.Context, client *api.Client, flag string) (*api.Profile, error) {
	p, err := caller(ctx, client)
	if err != nil {
		return nil, err
	}
	if !p.SupportsDataDomains() {
		return nil, withHint(usageErrorf("%s needs DQOps 1.13 or later: this server (release %s) has no data domains", flag, p.Release()),
			"remove the data-domain flags, or upgrade DQOps")
	}
	return p, nil
}
