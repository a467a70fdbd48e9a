package cmd

import "testing"

// The JSON error objects' codes are a contract with scripts: each exit code
// keeps its name.
func TestExitNames(t *testing.T) {
	want := map[int]string{
		ExitOK: "ok", ExitFailure: "error", ExitUsage: "usage", ExitCancelled: "cancelled",
		ExitAuth: "auth", ExitForbidden: "forbidden", ExitNotFound: "not_found",
		ExitExists: "already_exists", ExitUserLimit: "user_limit", ExitPartial: "partial",
		ExitChanges: "changes", ExitRefused: "refused", ExitStale: "stale", ExitInterrupted: "interrupted", ExitTerminated: "terminated",
	}
	if len(exitCodes) != len(want) {
		t.Errorf("%d exit codes documented, want %d", len(exitCodes), len(want))
	}
	for code, name := range want {
		if got := exitName(code); got != name {
			t.Errorf("exit %d is named %q, want %q", code, got, name)
		}
	}
	if got := exitName(42); got != "error" {
		t.Errorf("an unknown code is named %q, want error", got)
	}
}
