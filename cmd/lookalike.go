package cmd

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/dqops-users/dqo-users/pkg/api"
)

// refuseLookAlike refuses (exit 2) to create a user whose email looks like
// an existing user's (api.LookAlike): another user, easily taken for it,
// as ſam@ for sam@. The users are streamed, so that memory does not grow
// with them; both emails are quoted with every non-ASCII character escaped,
// so that the difference shows.
func refuseLookAlike(ctx context.Context, client *api.Client, email string) error {
	looksLike := api.LooksLike(email)
	var like []string
	err := client.StreamUsers(ctx, func(u api.User) error {
		if looksLike(u.Email) && !slices.Contains(like, u.Email) {
			like = append(like, u.Email)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(like) == 0 {
		return nil
	}
	quoted := make([]string, len(like))
	for i, e := range like {
		quoted[i] = strconv.QuoteToASCII(e)
	}
	return withHint(usageErrorf("refusing to create %s: it looks like the existing user %s, another user that is easily taken for it; nothing was sent",
		strconv.QuoteToASCII(email), strings.Join(quoted, ", ")),
		"check the email; pass --allow-lookalike if you mean to create it")
}
