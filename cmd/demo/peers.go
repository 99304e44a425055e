//go:build unix

package main

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"
)

// peerScripts are the echo servers of the peers: small programs written
// for this demo, copied to a temporary directory to be run.
//
//go:embed peers/*.py peers/*.js
var peerScripts embed.FS

// peerServers returns the gevent, uvloop and node servers, each either
// ready to start or with the reason it is skipped, and a cleanup function
// that removes the scripts.
func peerServers() ([]benchServer, func()) {
	dir, err := os.MkdirTemp("", "green-demo-peers")
	if err != nil {
		return []benchServer{{name: "peers", skip: err.Error()}}, func() {}
	}
	cleanup := func() { os.RemoveAll(dir) }
	script := func(name string) string {
		b, _ := peerScripts.ReadFile("peers/" + name)
		p := filepath.Join(dir, name)
		os.WriteFile(p, b, 0o644)
		return p
	}
	python := func(module string) (string, string) {
		var tried []string
		for _, cand := range []string{"python3", "/usr/bin/python3", "/usr/local/bin/python3"} {
			p, err := exec.LookPath(cand)
			if err != nil {
				continue
			}
			if exec.Command(p, "-c", "import "+module).Run() == nil {
				return p, ""
			}
			tried = append(tried, p)
		}
		if len(tried) == 0 {
			return "", "python3 not found"
		}
		return "", fmt.Sprintf("no python3 with the %s module (tried %v)", module, tried)
	}
	var ss []benchServer
	for _, p := range []struct{ name, module, file string }{
		{"gevent", "gevent", "gevent_echo.py"},
		{"uvloop", "uvloop", "uvloop_echo.py"},
	} {
		py, why := python(p.module)
		s := benchServer{name: p.name, skip: why}
		if why == "" {
			s.start = processServer(py, script(p.file))
		}
		ss = append(ss, s)
	}
	node := benchServer{name: "node"}
	if p, err := exec.LookPath("node"); err != nil {
		node.skip = "node not found"
	} else {
		node.start = processServer(p, script("node_echo.js"))
	}
	return append(ss, node), cleanup
}

// processServer returns a start function that runs "prog script ADDR" on a
// free loopback port and waits until the port accepts connections.
func processServer(prog, script string) func(ctx context.Context) (string, func(), error) {
	return func(ctx context.Context) (string, func(), error) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", nil, err
		}
		addr := ln.Addr().String()
		ln.Close() // the peer binds it again; a race with another program is unlikely
		cmd := exec.Command(prog, script, addr)
		var errOut tailBuffer // the peer's last words, shown if it fails to start
		cmd.Stdout, cmd.Stderr = &errOut, &errOut
		if err := cmd.Start(); err != nil {
			return "", nil, err
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		stop := func() {
			cmd.Process.Kill()
			<-exited
		}
		for deadline := time.Now().Add(10 * time.Second); ; {
			if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
				c.Close()
				return addr, stop, nil
			}
			select {
			case err := <-exited:
				exited <- err
				return "", nil, fmt.Errorf("%s exited: %v: %s", filepath.Base(script), err, errOut.String())
			case <-ctx.Done():
				stop()
				return "", nil, ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				stop()
				return "", nil, errors.New(filepath.Base(script) + " did not start listening within 10 s")
			}
		}
	}
}

// tailBuffer keeps the last 2 KiB written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > 2048 {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-2048:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(bytes.TrimSpace(t.buf))
}
