//go:build unix

package config

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// TestCheckFileTrusted checks the rule of CheckTrusted applied to another
// file that names a command (a sync file): the file's mode and its
// directory's decide, and the message names the file without calling it
// the configuration.
func TestCheckFileTrusted(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		file, dir os.FileMode
		want      string // the error's end; empty when trusted
	}{
		{0o600, 0o700, ""},
		{0o644, 0o755, ""},
		{0o600, 0o777 | os.ModeSticky, ""},
		{0o666, 0o700, "may not name a command to run: it is writable by others (mode 0666), so another local user could choose the command; to fix: chmod go-w "},
		{0o600, 0o777, "is writable by others without the sticky bit (mode 0777), so another local user could choose the command; to fix: chmod o-w "},
	} {
		path, _ := trustFixture(t, tt.file, tt.dir)
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		err = CheckFileTrusted(path, info)
		var ut *UntrustedError
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("file %04o in directory %v: %v", tt.file, tt.dir, err)
		case tt.want != "" && (!errors.As(err, &ut) || ut.Path != path || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("file %04o in directory %v: %v\nwant %s", tt.file, tt.dir, err, tt.want)
		case tt.want != "" && (!strings.HasPrefix(err.Error(), path+" ") || strings.Contains(err.Error(), "configuration")):
			t.Errorf("the message does not name the file as a file of its own: %v", err)
		}
	}
}
