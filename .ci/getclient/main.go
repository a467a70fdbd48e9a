// Command getclient is the yardstick of one `dqo-users get` in make bench:
// the same request, made by the least a Go program needs. Built plain, it
// links net/http alone; built with -tags libs, it also links, reachable as
// the tool has them, the libraries the tool's features need, so that the
// benchmark shows what their start-up costs before any of the tool's own
// work. It reads DQOPS_URL and DQOPS_API_KEY and prints the user's JSON.
package main

import (
	"io"
	"net/http"
	"net/url"
	"os"
)

// useLibraries is set by libs.go (-tags libs).
var useLibraries func(arg string)

func main() {
	if len(os.Args) != 2 {
		os.Stderr.WriteString("usage: getclient EMAIL\n")
		os.Exit(2)
	}
	if useLibraries != nil && os.Getenv("GETCLIENT_NEVER_SET") != "" {
		useLibraries(os.Args[1])
	}
	req, err := http.NewRequest(http.MethodGet, os.Getenv("DQOPS_URL")+"/api/users/"+url.PathEscape(os.Args[1]), nil)
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	req.Header.Set("Authorization", "Bearer "+os.Getenv("DQOPS_API_KEY"))
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		os.Stderr.WriteString(resp.Status + "\n")
		os.Exit(1)
	}
	if _, err := io.Copy(os.Stdout, resp.Body); err != nil {
		os.Exit(1)
	}
}
