package users

import (
	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/text"
	"github.com/dqops-users/dqo-users/pkg/yamlfile"
)

// checkDuplicates finds the emails (ignoring case) given by several entries
// that apply to one instance: without scopes, any two; with instances: and
// exceptInstances:, two whose scopes overlap. Each such entry is a problem
// naming the entry it overlaps.
//
// The work is linear in the file: an entry's instances are checked against
// the instances already claimed by the entries of its email before it, and
// an entry for every instance but some (exceptInstances:, or none) stops at
// the first claimed instance it does not leave out.
func checkDuplicates(f *File, probs *yamlfile.List) {
	first := make(map[string]int, len(f.Entries))
	var groups map[string][]int
	var order []string
	for i, e := range f.Entries {
		if e.Email == "" {
			continue
		}
		k := api.FoldEmail(e.Email)
		j, dup := first[k]
		if !dup {
			first[k] = i
			continue
		}
		if groups == nil {
			groups = map[string][]int{}
		}
		if groups[k] == nil {
			groups[k] = []int{j}
			order = append(order, k)
		}
		groups[k] = append(groups[k], i)
	}
	var universe []string
	for _, u := range f.Instances {
		universe = append(universe, canonical(u))
	}
	for _, k := range order {
		g := overlapCheck{entries: f.Entries, probs: probs, claimed: map[string]int{}}
		for _, i := range groups[k] {
			if len(universe) > 0 {
				g.finite(i, universe)
			} else {
				g.open(i)
			}
		}
	}
}

// overlapCheck finds the overlaps among the entries of one email.
type overlapCheck struct {
	entries []Entry
	probs   *yamlfile.List
	// claimed maps an instance (canonical URL) to the first entry for it,
	// and order lists them as they were claimed.
	claimed map[string]int
	order   []string
	// all is the first entry for every instance but some, plus one (0
	// when there is none), in a file that names no instances of its own;
	// allOut are the instances it leaves out.
	all    int
	allOut map[string]bool
}

// finite checks entry i in a file for a known set of instances: every
// entry stands for a subset of them.
func (g *overlapCheck) finite(i int, universe []string) {
	e := &g.entries[i]
	var mine []string
	if e.Instances != nil {
		in := canonicalSet(e.Instances)
		for _, u := range universe {
			if in[u] {
				mine = append(mine, u)
			}
		}
	} else {
		out := canonicalSet(e.ExceptInstances)
		for _, u := range universe {
			if !out[u] {
				mine = append(mine, u)
			}
		}
	}
	g.claim(i, mine)
}

// open checks entry i in a file that names no instances: an entry without
// instances: stands for all but its exceptInstances, of which there are
// more than any file names, so two such entries always overlap.
func (g *overlapCheck) open(i int) {
	e := &g.entries[i]
	if e.Instances != nil {
		mine := make([]string, 0, len(e.Instances))
		for _, u := range e.Instances {
			mine = append(mine, canonical(u))
		}
		if g.all > 0 {
			for _, u := range mine {
				if !g.allOut[u] {
					g.report(i, g.all-1, u)
					return
				}
			}
		}
		g.claim(i, mine)
		return
	}
	if g.all > 0 {
		g.report(i, g.all-1, "")
		return
	}
	g.all, g.allOut = i+1, canonicalSet(e.ExceptInstances)
	// At most len(allOut) claimed instances are left out: the walk is short.
	for _, u := range g.order {
		if !g.allOut[u] {
			g.report(i, g.claimed[u], u)
			return
		}
	}
}

// claim gives entry i the instances it stands for, reporting the first one
// that an entry before it has already.
func (g *overlapCheck) claim(i int, instances []string) {
	reported := false
	for _, u := range instances {
		j, taken := g.claimed[u]
		if !taken {
			g.claimed[u] = i
			g.order = append(g.order, u)
			continue
		}
		if !reported {
			g.report(i, j, u)
			reported = true
		}
	}
}

// report says that entry i is for an instance that entry j is for too:
// instance, or every instance both leave in when it is "".
func (g *overlapCheck) report(i, j int, instance string) {
	e, other := &g.entries[i], &g.entries[j]
	switch {
	case e.unscoped() && other.unscoped():
		g.probs.Add(e.Line, "duplicate email %s: the same user (ignoring case) is already at line %d", text.Cite(e.Email), other.Line)
	case instance != "":
		g.probs.Add(e.Line, "duplicate email %s: the entry at line %d is for %s too (the same user, ignoring case); one user's entries must be for different instances",
			text.Cite(e.Email), other.Line, text.CiteBare(instance))
	default:
		g.probs.Add(e.Line, "duplicate email %s: the entry at line %d is for every instance that neither leaves out (the same user, ignoring case); one user's entries must be for different instances",
			text.Cite(e.Email), other.Line)
	}
}

// unscoped reports whether the entry is for every instance.
func (e *Entry) unscoped() bool { return e.Instances == nil && e.ExceptInstances == nil }
