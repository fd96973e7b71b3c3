package store

import (
	"crypto/rand"
	"encoding/hex"
	"regexp"
)

// Id prefixes. An id is its prefix and 16 random hex digits; ids are never reused.
const (
	prefixLead        = "lead_"
	prefixWorkspace   = "ws_"
	prefixUser        = "usr_"
	prefixPool        = "pool_"
	prefixBatch       = "bat_"
	prefixKey         = "key_"
	prefixNote        = "note_"
	prefixTask        = "task_"
	prefixSession     = "ses_"
	prefixSuppression = "sup_"
)

func newID(prefix string) string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return prefix + hex.EncodeToString(b[:])
}

var leadIDPattern = regexp.MustCompile(`^lead_[0-9a-f]{16}$`)

// ValidLeadID reports whether id has the shape of a lead id.
func ValidLeadID(id string) bool { return leadIDPattern.MatchString(id) }

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
