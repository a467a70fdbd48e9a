package sandbox

import (
	"errors"
	"mime"
	"strconv"
	"strings"
)

// hasMediaType tells whether a Content-Type header names want (parameters
// such as charset allowed).
func hasMediaType(header, want string) bool {
	mt, _, err := mime.ParseMediaType(header)
	return (err == nil || errors.Is(err, mime.ErrInvalidMediaParameter)) && mt == want
}

// acceptsJSON tells whether the Accept header values admit application/json:
// the most specific range that matches it decides, and q=0 refuses. No
// header, or an empty one, accepts anything.
func acceptsJSON(values []string) bool {
	best, bestQ, ranges := -1, 0.0, 0
	for _, value := range values {
		for part := range strings.SplitSeq(value, ",") {
			if strings.TrimSpace(part) == "" {
				continue
			}
			ranges++
			mt, params, err := mime.ParseMediaType(part)
			if err != nil && !errors.Is(err, mime.ErrInvalidMediaParameter) {
				continue
			}
			specificity := jsonSpecificity(mt)
			if specificity < 0 {
				continue
			}
			q := 1.0
			if v, ok := params["q"]; ok {
				if q, err = strconv.ParseFloat(v, 64); err != nil {
					q = 0
				}
			}
			if specificity > best || (specificity == best && q > bestQ) {
				best, bestQ = specificity, q
			}
		}
	}
	return ranges == 0 || (best >= 0 && bestQ > 0)
}

// jsonSpecificity ranks how specifically a media range matches
// application/json; -1 when it does not.
func jsonSpecificity(mediaRange string) int {
	switch mediaRange {
	case "*/*":
		return 0
	case "application/*":
		return 1
	case "application/*+json":
		return 2
	case "application/json":
		return 3
	}
	return -1
}
