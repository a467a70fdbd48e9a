package cmd

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
	"github.com/dqops-users/dqo-users/pkg/output"
	"github.com/dqops-users/dqo-users/pkg/text"
)

// fleet runs a command on several DQOps instances at once (--profile
// dev,prod, --all-profiles). The instances are asked in parallel; each one's
// output is held in a temporary file of its own (mode 0600) while the others
// work, so memory stays flat, and is shown instance by instance in the
// order given; each one's messages are shown with its profile before each
// line. One instance's failure does not stop the others. A summary line
// per instance ends the run, and the exit code ranks failures above 11
// (refused) and 11 above 10 (changes pending), the first in the order given
// among equals, so that a pending diff on dev never hides a failure on
// prod.
type fleet struct {
	io       *iostreams.IOStreams
	clientOf func(context.Context, *target) (*api.Client, error)
	members  []*member
	// jsonErrors writes errors as JSON objects (-o json or yaml).
	jsonErrors bool
}

// member is one instance of a fleet run.
type member struct {
	t      *target
	client *api.Client
	// out is the member's held output in the current step, and errOut its
	// messages; both are shown once the members before it have been.
	out    io.Writer
	errOut io.Writer
	// err is the member's failure: later steps leave it out.
	err error
	// summary is what its summary line says when it did not fail.
	summary string
	// state is what a command keeps of the member between steps.
	state any

	held *os.File
	msgs bytes.Buffer
}

// newFleet is a fleet of the targets.
func newFleet(io *iostreams.IOStreams, clientOf func(context.Context, *target) (*api.Client, error), targets []*target, jsonErrors bool) *fleet {
	fl := &fleet{io: io, clientOf: clientOf, jsonErrors: jsonErrors}
	for _, t := range targets {
		fl.members = append(fl.members, &member{t: t})
	}
	return fl
}

// several reports whether targets are more than one instance.
func several(targets []*target) bool { return len(targets) > 1 }

// step runs fn on every member that has not failed, all at once, then, in
// the order given, shows what each held: show (nil: its output as it is)
// and its messages. A member's error is its failure, reported with its
// messages.
func (fl *fleet) step(ctx context.Context, fn func(ctx context.Context, m *member) error, show func(m *member, held io.Reader) error) error {
	done := make([]chan struct{}, len(fl.members))
	for i, m := range fl.members {
		done[i] = make(chan struct{})
		if m.err != nil {
			close(done[i])
			continue
		}
		go func() {
			defer close(done[i])
			m.err = fl.run(ctx, m, fn)
		}()
	}
	for i, m := range fl.members {
		<-done[i]
		if err := fl.show(m, show); err != nil {
			fl.wait(done[i+1:])
			return err
		}
	}
	return nil
}

// rollout runs fn on the members one at a time, in the order given, and
// stops at the first that fails: the others are not attempted.
func (fl *fleet) rollout(ctx context.Context, fn func(ctx context.Context, m *member) error, show func(m *member, held io.Reader) error) error {
	for i, m := range fl.members {
		if m.err == nil {
			m.err = fl.run(ctx, m, fn)
			if err := fl.show(m, show); err != nil {
				return err
			}
		}
		if m.err != nil {
			// Failed here, or before this step: the rollout stops.
			for _, rest := range fl.members[i+1:] {
				if rest.err == nil {
					rest.err = errNotAttempted
				}
			}
			return nil
		}
	}
	return nil
}

// errNotAttempted is the outcome of the instances a rollout did not reach.
var errNotAttempted = &ExitError{Code: ExitFailure, Err: fmt.Errorf("not attempted: the rollout stopped at an instance before"), Reported: true}

func (fl *fleet) wait(done []chan struct{}) {
	for _, d := range done {
		<-d
	}
}

// run runs fn for one member, with its client and its held output.
func (fl *fleet) run(ctx context.Context, m *member, fn func(ctx context.Context, m *member) error) error {
	if m.client == nil {
		c, err := fl.clientOf(ctx, m.t)
		if err != nil {
			return err
		}
		m.client = c
	}
	f, err := os.CreateTemp("", "dqo-users-*")
	if err != nil {
		return fmt.Errorf("holding the output of %s: %w", m.t.Label(), err)
	}
	m.held, m.out, m.errOut = f, f, &m.msgs
	return fn(ctx, m)
}

// show shows what a member held: its output, its messages, its failure.
func (fl *fleet) show(m *member, show func(m *member, held io.Reader) error) error {
	var err error
	if m.held != nil {
		if _, serr := m.held.Seek(0, io.SeekStart); serr == nil {
			if show != nil {
				err = show(m, bufio.NewReader(m.held))
			} else {
				_, err = io.Copy(fl.io.Out, m.held)
			}
		}
		m.held.Close()
		os.Remove(m.held.Name())
		m.held = nil
	}
	if m.err != nil && m.err != errNotAttempted {
		if m.client != nil {
			m.err = explainStatus(context.Background(), m.client, m.err)
		}
		if e := classify(context.Background(), m.err); !e.Reported {
			reportError(&m.msgs, e, fl.jsonErrors)
		}
	}
	fl.messages(m)
	return err
}

// messages writes a member's messages, each line after its profile.
func (fl *fleet) messages(m *member) {
	if m.msgs.Len() == 0 {
		return
	}
	prefix := m.t.Profile.Name + ": "
	for line := range strings.SplitAfterSeq(m.msgs.String(), "\n") {
		switch {
		case line == "":
		case strings.HasPrefix(line, `{"error":`):
			// A JSON error object stays one, and names the instance.
			fmt.Fprint(fl.io.ErrOut, string(withProfile(json.RawMessage(line), m.t.Profile.Name))+"\n")
		default:
			fmt.Fprint(fl.io.ErrOut, prefix+line)
		}
	}
	m.msgs.Reset()
}

// finish ends the run: a summary line per instance, and the exit code
// (nil when every instance did what was asked).
func (fl *fleet) finish() error {
	var worst *ExitError
	for _, m := range fl.members {
		line := m.summary
		if m.err != nil {
			e := classify(context.Background(), m.err)
			switch {
			case m.err == errNotAttempted:
				line = "not attempted"
			case e.Code == ExitChanges && line != "":
			case e.Code == ExitRefused:
				line = fmt.Sprintf("refused (exit %d): %s", e.Code, text.Safe(firstLine(e.Err.Error())))
			default:
				line = fmt.Sprintf("failed (exit %d): %s", e.Code, text.Safe(firstLine(e.Err.Error())))
			}
			// An instance a rollout did not reach did not fail: the one
			// that stopped it says why.
			if m.err != errNotAttempted && (worst == nil || fleetRank(e.Code) > fleetRank(worst.Code)) {
				worst = e
			}
		}
		if line == "" {
			line = "done"
		}
		say(fl.io.ErrOut, "%s: %s\n", m.t.Label(), line)
	}
	if worst == nil {
		return nil
	}
	return &ExitError{Code: worst.Code, Status: worst.Status, Err: worst.Err, Reported: true}
}

// fleetRank orders the exit codes of several instances: a failure above a
// refusal (11), a refusal above pending changes (10).
func fleetRank(code int) int {
	switch code {
	case ExitOK:
		return 0
	case ExitChanges:
		return 1
	case ExitRefused:
		return 2
	}
	return 3
}

// firstLine is the first line of a message.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// fleetLabels names the members for a confirmation: "dev (URL) and prod
// (URL)".
func fleetLabels(ms []*member) string {
	labels := make([]string, 0, len(ms))
	for _, m := range ms {
		labels = append(labels, m.t.Label())
	}
	switch len(labels) {
	case 0:
		return ""
	case 1:
		return labels[0]
	}
	return strings.Join(labels[:len(labels)-1], ", ") + " and " + labels[len(labels)-1]
}

// alive are the members that have not failed.
func (fl *fleet) alive() []*member {
	var out []*member
	for _, m := range fl.members {
		if m.err == nil {
			out = append(out, m)
		}
	}
	return out
}

// produce is what a read command shows of one instance: each item for the
// machine formats with its row for the others, through emit; its messages
// go to errOut.
type produce func(ctx context.Context, client *api.Client, errOut io.Writer, emit func(item any, row []string) error) error

// heldRow is one item of a member, held until its turn comes.
type heldRow struct {
	Item json.RawMessage `json:"item"`
	Row  []string        `json:"row"`
}

// fleetList shows what produce gives on every member as one list, the
// profile first: tables and csv gain a PROFILE column, JSON and YAML items
// a "profile" field, and -o name prints profile/name. noun counts the items
// of each instance in its summary line.
func fleetList(ctx context.Context, fl *fleet, printer *output.Printer, columns []output.Column, nameColumn int, empty, noun string, fn produce) error {
	columns = append([]output.Column{{Name: "profile", Header: "PROFILE"}}, columns...)
	list, err := printer.List(ctx, columns, nameColumn+1, empty)
	if err != nil {
		return err
	}
	err = fl.step(ctx, func(ctx context.Context, m *member) error {
		enc := json.NewEncoder(m.out)
		n := 0
		err := fn(ctx, m.client, m.errOut, func(item any, row []string) error {
			raw, err := json.Marshal(item)
			if err != nil {
				return err
			}
			n++
			return enc.Encode(heldRow{Item: raw, Row: row})
		})
		m.summary = output.Count(n, noun)
		return err
	}, func(m *member, held io.Reader) error {
		name := m.t.Profile.Name
		dec := json.NewDecoder(held)
		for {
			var h heldRow
			if err := dec.Decode(&h); err == io.EOF {
				return nil
			} else if err != nil {
				return fmt.Errorf("reading the held output of %s: %w", m.t.Label(), err)
			}
			row := append([]string{name}, h.Row...)
			if printer.Options.Format == output.FormatName {
				row[nameColumn+1] = name + "/" + row[nameColumn+1]
			}
			if err := list.Add(withProfile(h.Item, name), row); err != nil {
				return err
			}
		}
	})
	if cerr := list.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return fl.finish()
}

// withProfile is a JSON object with "profile" as its first field.
func withProfile(item json.RawMessage, profile string) json.RawMessage {
	name, _ := json.Marshal(profile)
	rest := bytes.TrimPrefix(bytes.TrimSpace(item), []byte("{"))
	out := append([]byte(`{"profile":`), name...)
	if !bytes.HasPrefix(bytes.TrimSpace(rest), []byte("}")) {
		out = append(out, ',')
	}
	return append(out, rest...)
}
