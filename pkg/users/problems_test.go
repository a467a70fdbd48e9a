package users

import (
	"fmt"
	"strings"
	"testing"
)

// The message lists the first 20 problems by line and counts the rest;
// Problems keeps the first maxProblems.
func TestValidationErrorListsTwentyAndCountsTheRest(t *testing.T) {
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
			var probs problems
			// Found out of line order, as a user's problems can be.
			for i := tt.found; i >= 1; i-- {
				probs.add(i, "problem %d", i)
			}
			err := probs.err("u.yaml")
			ve := err.(*ValidationError)
			if kept := min(tt.found, maxProblems); len(ve.Problems) != kept || ve.Omitted != tt.found-kept {
				t.Errorf("kept %d and omitted %d, want %d and %d", len(ve.Problems), ve.Omitted, kept, tt.found-kept)
			}
			for i, p := range ve.Problems {
				if p.Line != i+1 {
					t.Fatalf("problem %d is at line %d: want the first lines, in order", i, p.Line)
				}
			}
			lines := strings.Split(err.Error(), "\n")
			if want := fmt.Sprintf("u.yaml has %s problems:", thousands(tt.found)); lines[0] != want {
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
	var probs problems
	for i := range 3 * maxProblems {
		probs.add(7, "problem %d", i)
	}
	probs.add(3, "earlier line")
	ve := probs.err("f").(*ValidationError)
	if ve.Problems[0].Message != "earlier line" || ve.Problems[1].Message != "problem 0" ||
		ve.Problems[maxProblems-1].Message != fmt.Sprintf("problem %d", maxProblems-2) {
		t.Errorf("got %q, %q ... %q", ve.Problems[0].Message, ve.Problems[1].Message, ve.Problems[maxProblems-1].Message)
	}
	if ve.Omitted != 3*maxProblems+1-maxProblems {
		t.Errorf("omitted %d", ve.Omitted)
	}
}
