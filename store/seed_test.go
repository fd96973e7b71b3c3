package store

import (
	"math/rand/v2"
	"testing"
)

func TestGeneratedPhonesAreValidAndIndexedAsTyped(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		p, terms := generatePhone(r)
		got, err := NormalizePhone(p, "US")
		if err != nil || got != p {
			t.Fatalf("generated phone %s: normalises to %q, %v", p, got, err)
		}
		if want := phoneTerms(p); terms != want {
			t.Fatalf("generated phone %s: search terms %q, want %q", p, terms, want)
		}
	}
}
