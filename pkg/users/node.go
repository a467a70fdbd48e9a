package users

// node is a YAML or JSON value with the line it starts on: the one tree
// that the users of both formats are read from.
type node struct {
	kind   nodeKind
	line   int
	value  string  // scalars
	keys   []*node // mappings: scalar keys, in order
	values []*node // mappings: the values of keys
	items  []*node // sequences
}

type nodeKind int

const (
	kindNull nodeKind = iota
	kindScalar
	kindMap
	kindSeq
)

func (k nodeKind) String() string {
	switch k {
	case kindNull:
		return "null"
	case kindScalar:
		return "a single value"
	case kindMap:
		return "a mapping"
	}
	return "a list"
}
