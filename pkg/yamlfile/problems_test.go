package yamlfile

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/text"
)

// The message lists the first 20 problems by line and counts the rest;
// Problems keeps the first MaxProblems.
func TestErrorListsTwentyAndCountsTheRest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		found    int
		wantTail string
	}{
		{20, "u.yaml:20: problem 20"},
		{21, "  ... and 1 more problem"},
		{10_000, "  ... and 9,980 more problems"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.found), func(t *testing.T) {
			t.Parallel()
			var probs List
			// Found out of line order, as a user's problems can be.
			for i := tt.found; i >= 1; i-- {
				probs.Add(i, "problem %d", i)
			}
			ve := probs.Result("u.yaml")
			if kept := min(tt.found, MaxProblems); len(ve.Problems) != kept || ve.Omitted != tt.found-kept {
				t.Errorf("kept %d and omitted %d, want %d and %d", len(ve.Problems), ve.Omitted, kept, tt.found-kept)
			}
			for i, p := range ve.Problems {
				if p.Line != i+1 {
					t.Fatalf("problem %d is at line %d: want the first lines, in order", i, p.Line)
				}
			}
			lines := strings.Split(ve.Error(), "\n")
			if want := fmt.Sprintf("u.yaml has %s problems:", text.Thousands(tt.found)); lines[0] != want {
				t.Errorf("first line %q, want %q", lines[0], want)
			}
			if lines[1] != "  u.yaml:1: problem 1" || lines[20] != "  u.yaml:20: problem 20" {
				t.Errorf("want problems 1 to 20 listed, got:\n%s", strings.Join(lines[:min(len(lines), 22)], "\n"))
			}
			if len(lines) > 22 || !strings.HasSuffix(lines[len(lines)-1], tt.wantTail) {
				t.Errorf("got %d lines ending %q, want at most 22 ending %q", len(lines), lines[len(lines)-1], tt.wantTail)
			}
		})
	}
}

// Problems found on one line keep the order in which they were found, even
// when the list is cut.
func TestProblemsKeepOrderWithinALine(t *testing.T) {
	t.Parallel()
	var probs List
	for i := range 3 * MaxProblems {
		probs.Add(7, "problem %d", i)
	}
	probs.Add(3, "earlier line")
	ve := probs.Result("f")
	if ve.Problems[0].Message != "earlier line" || ve.Problems[1].Message != "problem 0" ||
		ve.Problems[MaxProblems-1].Message != fmt.Sprintf("problem %d", MaxProblems-2) {
		t.Errorf("got %q, %q ... %q", ve.Problems[0].Message, ve.Problems[1].Message, ve.Problems[MaxProblems-1].Message)
	}
	if ve.Omitted != 3*MaxProblems+1-MaxProblems {
		t.Errorf("omitted %d", ve.Omitted)
	}
}

// One layout for every file: FILE:LINE: for each problem, what the file is
// first when the caller says, "line N:" for a document without a name.
func TestErrorLayout(t *testing.T) {
	t.Parallel()
	one := []Problem{{Line: 5, Message: "bad"}}
	two := []Problem{{Line: 1, Message: "first"}, {Message: "whole file"}}
	for _, tt := range []struct {
		name string
		err  Error
		want string
	}{
		{"one", Error{File: "u.yaml", Problems: one}, "u.yaml:5: bad"},
		{"one, whole file", Error{File: "u.yaml", Problems: []Problem{{Message: "cut"}}}, "u.yaml: cut"},
		{"one, kind", Error{File: "/c.yaml", Kind: "configuration file", Problems: one}, "configuration file /c.yaml:5: bad"},
		{"one, kind, no name", Error{Kind: "the configuration", Problems: one}, "the configuration: line 5: bad"},
		{"two", Error{File: "u.csv", Problems: two}, "u.csv has 2 problems:\n  u.csv:1: first\n  u.csv: whole file"},
		{"two, kind", Error{File: "/c.yaml", Kind: "configuration file", Problems: two},
			"configuration file /c.yaml has 2 problems:\n  /c.yaml:1: first\n  /c.yaml: whole file"},
		{"two, kind, no name", Error{Kind: "the configuration", Problems: two},
			"the configuration has 2 problems:\n  line 1: first\n  whole file"},
		{"one kept, more omitted", Error{File: "u", Problems: one, Omitted: 2}, "u has 3 problems:\n  u:5: bad\n  ... and 2 more problems"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
	var empty List
	if empty.Result("f") != nil || empty.Len() != 0 {
		t.Error("an empty list has a result")
	}
}
