package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// portal is a running portal program.
type portal struct {
	url, token string
	orgs       map[string]string // name → ID
	cmd        *exec.Cmd
	stderr     *bytes.Buffer
}

// start builds the program and runs it with args; it reads the URL line,
// the token and the organizations from its standard output.
func start(t *testing.T, args ...string) *portal {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "portal")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, string(out))
	p := &portal{orgs: map[string]string{}, stderr: &bytes.Buffer{}}
	p.cmd = exec.Command(bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	p.cmd.Stderr = p.stderr
	stdout, err := p.cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, p.cmd.Start())
	t.Cleanup(func() { _ = p.cmd.Process.Kill() })
	lines := bufio.NewScanner(stdout)
	require.True(t, lines.Scan(), "the URL line")
	p.url = lines.Text()
	require.True(t, strings.HasPrefix(p.url, "http://127.0.0.1:"), p.url)
	require.True(t, lines.Scan())
	p.token, _ = strings.CutPrefix(lines.Text(), "token: ")
	for range 3 {
		require.True(t, lines.Scan())
		f := strings.Fields(lines.Text())
		p.orgs[strings.Join(f[1:len(f)-1], " ")] = f[len(f)-1]
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return p
}

func (p *portal) call(t *testing.T, method, path, ctype, body string) (int, []byte) {
	t.Helper()
	rq, err := http.NewRequest(method, p.url+"api/v1"+path, strings.NewReader(body))
	require.NoError(t, err)
	rq.Header.Set("Authorization", "Bearer "+p.token)
	if ctype != "" {
		rq.Header.Set("Content-Type", ctype)
	}
	res, err := http.DefaultClient.Do(rq)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, b
}

// stop interrupts the program and checks it ends with 0.
func (p *portal) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGINT))
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		require.NoError(t, err, p.stderr.String())
	case <-time.After(20 * time.Second):
		t.Fatal("the portal did not stop on an interrupt")
	}
}

// TestProgram runs the portal and calls its API with the token it was given.
func TestProgram(t *testing.T) {
	p := start(t, "-admin-token", "t0ken")
	assert.Equal(t, "t0ken", p.token)
	require.Contains(t, p.orgs, "Demo Carrier")
	sales := p.orgs["Sales"]
	require.NotEmpty(t, sales)

	res, err := http.Get(p.url)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)

	status, body := p.call(t, "GET", "/openapi.json", "", "")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, string(body), `"openapi": "3.1.0"`)

	status, body = p.call(t, "POST", "/orgs/"+sales+"/accounts", "application/json",
		`{"first_name":"Grace","last_name":"Hopper","account_id":"grace","applications":["mobile"],"email":"grace@demo.example","invite":true}`)
	require.Equal(t, http.StatusCreated, status, "%s", body)
	var a struct{ Status string }
	require.NoError(t, json.Unmarshal(body, &a))
	assert.Equal(t, "invited", a.Status)
	status, body = p.call(t, "GET", "/orgs/"+sales+"/numbers?limit=500", "", "")
	require.Equal(t, http.StatusOK, status)
	var pool struct{ Items []struct{ Number string } }
	require.NoError(t, json.Unmarshal(body, &pool))
	require.Len(t, pool.Items, 100, "the demo pool of SPEC §9")
	assert.Equal(t, "+14155550100", pool.Items[0].Number)

	status, body = p.call(t, "POST", "/orgs/"+sales+"/batches?mode=import", "text/csv",
		"firstname,lastname,email address or device,social_messaging,monitor_calls,monitor_sms\nAda,Lovelace,ada@demo.example,No,auto,on\n")
	require.Equal(t, http.StatusAccepted, status, "%s", body)
	var b struct{ ID string }
	require.NoError(t, json.Unmarshal(body, &b))
	status, body = p.call(t, "GET", "/batches/"+b.ID+"/report", "", "")
	require.Equal(t, http.StatusOK, status, "%s", body)
	assert.Contains(t, string(body), "ada@demo.example")

	// The support org has no numbers; the token is required.
	status, body = p.call(t, "GET", "/orgs/"+p.orgs["Support"]+"/numbers", "", "")
	require.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"items":[],"next_cursor":""}`, string(body))
	p.token = "wrong"
	status, _ = p.call(t, "GET", "/orgs/"+sales+"/accounts", "", "")
	assert.Equal(t, http.StatusUnauthorized, status)

	p.stop(t)
	assert.NotContains(t, p.stderr.String(), "panic")
}

// TestProgramPool: -pool loads Sales's numbers, tagged ones Reserved; with
// no -admin-token a random token is printed.
func TestProgramPool(t *testing.T) {
	p := start(t, "-pool", "testdata/pool.csv", "-social-messaging")
	assert.Len(t, p.token, 32)
	status, body := p.call(t, "GET", "/orgs/"+p.orgs["Sales"]+"/numbers?state=Reserved", "", "")
	require.Equal(t, http.StatusOK, status, "%s", body)
	var l struct {
		Items []struct{ Number, Tag string }
	}
	require.NoError(t, json.Unmarshal(body, &l))
	require.Len(t, l.Items, 1)
	assert.Equal(t, "VIP", l.Items[0].Tag, "tags are upper-cased")
	p.stop(t)
}

// TestUsage: wrong usage is 2, a pool that cannot be read is 1.
func TestUsage(t *testing.T) {
	var stderr bytes.Buffer
	assert.Equal(t, 2, run(t.Context(), []string{"-nope"}, io.Discard, &stderr))
	assert.Equal(t, 2, run(t.Context(), []string{"extra"}, io.Discard, &stderr))
	assert.Equal(t, 1, run(t.Context(), []string{"-addr", "127.0.0.1:0", "-pool", filepath.Join(t.TempDir(), "none.csv")}, io.Discard, &stderr))
	assert.Contains(t, stderr.String(), "none.csv")
}
