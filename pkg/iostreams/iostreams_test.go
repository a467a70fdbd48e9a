package iostreams

import (
	"context"
	"errors"
	"testing"
)

// prompting returns streams whose stdin counts as a terminal, fed with input.
func prompting(input string) *IOStreams {
	ios, in, _, _ := Test()
	in.WriteString(input)
	ios.SetStdinTTY(true)
	return ios
}

func TestConfirm(t *testing.T) {
	tests := []struct {
		input string
		want  bool
	}{
		{"y\n", true}, {"YES\n", true}, {" yes \r\n", true},
		{"n\n", false}, {"\n", false}, {"maybe\n", false},
		{"", false}, // end of input: no answer is no
	}
	for _, tt := range tests {
		ios := prompting(tt.input)
		got, err := ios.Confirm(context.Background(), "Go on?")
		if err != nil || got != tt.want {
			t.Errorf("%q: %v, %v; want %v", tt.input, got, err, tt.want)
		}
	}
}

func TestSelect(t *testing.T) {
	options := []string{"admin", "editor", "viewer"}
	tests := []struct {
		input   string
		want    string
		wantErr error
	}{
		{"2\n", "editor", nil},
		{"Viewer\n", "viewer", nil},
		{"7\nnope\n1\n", "admin", nil},
		{"", "", ErrNoAnswer},
		{"9\n", "", ErrNoAnswer},
	}
	for _, tt := range tests {
		ios := prompting(tt.input)
		got, err := ios.Select(context.Background(), "Role:", options)
		if got != tt.want || !errors.Is(err, tt.wantErr) {
			t.Errorf("%q: %q, %v; want %q, %v", tt.input, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestPromptsNeedATerminalAndInput(t *testing.T) {
	tests := []struct {
		name   string
		tty    bool
		reason string
		why    string
	}{
		{"no terminal", false, "", "there is no terminal to ask on"},
		{"no terminal under CI", false, "CI", "there is no terminal to ask on"},
		{"--no-input on a terminal", true, "--no-input", "input is disabled by --no-input"},
		{"DQOPS_NO_INPUT on a terminal", true, "DQOPS_NO_INPUT", "input is disabled by DQOPS_NO_INPUT"},
		{"CI on a terminal", true, "CI", "input is disabled by CI"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios := prompting("y\n")
			ios.SetStdinTTY(tt.tty)
			ios.NoInputReason = tt.reason
			if got := ios.WhyNoPrompt(); got != tt.why {
				t.Errorf("WhyNoPrompt() = %q, want %q", got, tt.why)
			}
			if ios.CanPrompt() {
				t.Error("CanPrompt() = true")
			}
			want := "cannot prompt: " + tt.why
			for name, prompt := range map[string]func() error{
				"Confirm":         func() error { _, err := ios.Confirm(context.Background(), "?"); return err },
				"Select":          func() error { _, err := ios.Select(context.Background(), "?", []string{"a"}); return err },
				"ReadSecret":      func() error { _, err := ios.ReadSecret(context.Background(), "?"); return err },
				"ReadNewPassword": func() error { _, err := ios.ReadNewPassword(context.Background(), "?"); return err },
			} {
				if err := prompt(); !errors.Is(err, ErrNotInteractive) || err.Error() != want {
					t.Errorf("%s: %v, want %q", name, err, want)
				}
			}
		})
	}
	ios := prompting("")
	if why := ios.WhyNoPrompt(); why != "" || !ios.CanPrompt() {
		t.Errorf("a terminal without a reason: WhyNoPrompt() = %q, CanPrompt() = %v", why, ios.CanPrompt())
	}
	if _, err := ios.ReadSecret(context.Background(), "?"); err == nil || err.Error() != "cannot prompt: stdin is not a terminal" {
		t.Errorf("a secret from a stdin that only claims to be a terminal: %v", err)
	}
}

func TestReadStdinSecret(t *testing.T) {
	tests := map[string]string{
		"s3cret\n":     "s3cret",
		"s3cret\r\n":   "s3cret",
		"s3cret":       "s3cret",
		"two\nlines\n": "two\nlines",
		" spaced \n\n": " spaced \n",
		"":             "",
	}
	for input, want := range tests {
		ios, in, _, _ := Test()
		in.WriteString(input)
		got, err := ios.ReadStdinSecret(context.Background())
		if err != nil || string(got) != want {
			t.Errorf("%q: %q, %v; want %q", input, got, err, want)
		}
	}
}
