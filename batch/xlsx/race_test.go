//go:build race

package xlsx

// raceAlloc multiplies the fuzz oracle under the race detector, where
// sync.Pool drops what it is given and the libraries' pooled buffers are
// allocated again and again (the 1000-row workbook allocates about seven
// times as much).
const raceAlloc = 8
