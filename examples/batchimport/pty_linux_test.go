package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal and returns its controlling side and its
// terminal side, or skips the test where there is none.
func openPTY(t *testing.T) (controller, tty *os.File) {
	t.Helper()
	controller, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { controller.Close() })
	fd := int(controller.Fd())
	require.NoError(t, unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0), "unlockpt")
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	require.NoError(t, err, "ptsname")
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { tty.Close() })
	return controller, tty
}

func TestIsTerminalPTY(t *testing.T) {
	_, tty := openPTY(t)
	assert.True(t, isTerminal(tty))
}

// TestProgramTerminal runs the program with its stderr on a terminal: the
// progress bar is drawn there, and the report on stdout is unchanged.
func TestProgramTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the program")
	}
	bin := buildProgram(t)
	controller, tty := openPTY(t)
	var stdout bytes.Buffer
	cmd := exec.Command(bin, sampleCSV)
	cmd.Stdout, cmd.Stderr = &stdout, tty
	require.NoError(t, cmd.Start())
	tty.Close() // the child holds it now; reading ends when the child exits
	terminal := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(controller) // ends with EIO once the child is gone
		terminal <- b
	}()
	require.NoError(t, cmd.Wait())
	got := string(<-terminal)
	assert.Contains(t, got, "importing")
	assert.Contains(t, got, "█")
	assert.Contains(t, got, "/15")
	assert.Contains(t, got, "batchimport: testdata/sample.csv: Import: 15 rows, 8 imported, 7 failed")
	assert.Equal(t, sampleImport(), outcomes(t, stdout.String()))
}
