//go:build !race

package xlsx

// raceAlloc: see race_test.go.
const raceAlloc = 1
