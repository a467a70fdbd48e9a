package audit

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dqops-users/dqo-users/pkg/api"
)

func appendTo(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
}

func TestWriteOneLinePerEntry(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	l, err := Open(path, appendTo)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	e := Entry{Time: time.Date(2026, 12, 7, 13, 4, 5, 999, time.FixedZone("CET", 3600)), Tool: "dqo-users 1.2.3",
		Operator: Operator{Email: "admin@example.com", LocalUser: "ana", KeySource: "profile"},
		Instance: "https://dqops.example.com:443", Profile: "prod", Action: "update", Email: "bo@example.com",
		Before: RolesOf(&api.User{AccountRole: api.RoleViewer, DataDomainRoles: map[string]api.Role{"sales": api.RoleNone}}),
		After:  RolesOf(&api.User{AccountRole: api.RoleEditor, DataDomainRoles: map[string]api.Role{"sales": api.RoleEditor}}),
		Source: Source{Command: "dqo-users update bo@example.com --role editor"}, Outcome: OutcomeDone}
	if err := l.Write(e); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	want := `{"time":"2026-12-07T12:04:05Z","tool":"dqo-users 1.2.3","operator":{"email":"admin@example.com","localUser":"ana","keySource":"profile"},` +
		`"instance":"https://dqops.example.com:443","profile":"prod","action":"update","email":"bo@example.com",` +
		`"before":{"accountRole":"viewer"},"after":{"accountRole":"editor","dataDomainRoles":{"sales":"editor"}},` +
		`"source":{"command":"dqo-users update bo@example.com --role editor"},"outcome":"done"}` + "\n"
	if string(data) != want {
		t.Errorf("line\n%s\nwant\n%s", data, want)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", info.Mode().Perm())
	}
}

// Several logs writing to one file at once, as concurrent runs do, leave
// only whole lines.
func TestConcurrentWritersLeaveWholeLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	var wg sync.WaitGroup
	for w := range 4 {
		l, err := Open(path, appendTo)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		wg.Go(func() {
			for i := range 200 {
				email := fmt.Sprintf("writer%d-%03d@example.com%s", w, i, strings.Repeat("x", 1000))
				if err := l.Write(Entry{Action: "delete", Email: email, Outcome: OutcomeDone}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	f, _ := os.Open(path)
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		var e Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("line %d is not whole: %v\n%.200s", n+1, err, sc.Text())
		}
		n++
	}
	if n != 800 {
		t.Errorf("%d lines, want 800", n)
	}
}

func TestOpenRefusesAnUnwritableLog(t *testing.T) {
	dir := t.TempDir()
	for name, path := range map[string]string{
		"a directory":         dir,
		"a missing directory": filepath.Join(dir, "no", "audit.log"),
	} {
		_, err := Open(path, appendTo)
		var ae *Error
		if !errors.As(err, &ae) || ae.Path != path {
			t.Errorf("%s: error %v, want an *Error naming %s", name, err, path)
		}
	}
}
