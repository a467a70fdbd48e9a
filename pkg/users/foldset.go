package users

import "hash/maphash"

// foldBatch is how many strings a foldSet takes before it looks them up:
// looked up together, their slots (far apart in a large table) are read
// from memory at once rather than one after the other.
const foldBatch = 256

// foldSet is a set of strings kept as their 64-bit hashes, in one flat
// table of 8 bytes a slot: what export needs to find case twins among a
// million users without keeping their emails. Two strings whose hashes
// collide count as one (about one chance in 10^7 at a million strings):
// export's warning then names an email that has no twin, and nothing else
// changes.
type foldSet struct {
	seed  maphash.Seed
	slots []uint64 // 0 is an empty slot
	n     int
	// The strings added since the last look-up, and their hashes.
	pending [foldBatch]string
	hashes  [foldBatch]uint64
	np      int
}

func newFoldSet() *foldSet {
	return &foldSet{seed: maphash.MakeSeed(), slots: make([]uint64, 1024)}
}

// add puts s in the set. Each string found in the set already is handed to
// seen, at once or at a later add or flush.
func (f *foldSet) add(s string, seen func(string)) {
	f.pending[f.np] = s
	h := maphash.String(f.seed, s)
	if h == 0 { // 0 marks an empty slot
		h = 1
	}
	f.hashes[f.np] = h
	f.np++
	if f.np == foldBatch {
		f.flush(seen)
	}
}

// flush looks up the strings added since the last look-up.
func (f *foldSet) flush(seen func(string)) {
	for i := range f.np {
		if !f.insert(f.hashes[i]) {
			seen(f.pending[i])
			continue
		}
		f.n++
		if f.n*4 > len(f.slots)*3 {
			f.grow()
		}
	}
	clear(f.pending[:f.np])
	f.np = 0
}

// insert puts h in its slot by linear probing, unless it is there.
func (f *foldSet) insert(h uint64) bool {
	mask := uint64(len(f.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch f.slots[i] {
		case h:
			return false
		case 0:
			f.slots[i] = h
			return true
		}
	}
}

func (f *foldSet) grow() {
	old := f.slots
	f.slots = make([]uint64, 2*len(old))
	for _, h := range old {
		if h != 0 {
			f.insert(h)
		}
	}
}
