package servers

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Redis is a redis-server child process.
type Redis struct {
	addr   string
	dir    string
	cmd    *exec.Cmd
	exited chan struct{}
}

// Addr returns the server's host:port.
func (r *Redis) Addr() string { return r.addr }

// StartRedis starts redis-server (found on PATH) on a free loopback port,
// without persistence, in a temporary directory. It runs with hz 500 so
// that a blocking command's timeout (BLPOP key 0.005, the tests' 5 ms of
// server-side latency that does not stall the server) is honoured within
// 2 ms.
func StartRedis() (*Redis, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("redis-server not found (apt-get install -y redis-server): %w", err)
	}
	var last error
	for attempt := 0; attempt < 3; attempt++ { // a port taken between probe and bind: retry
		r, err := startRedis(bin)
		if err == nil {
			return r, nil
		}
		last = err
	}
	return nil, last
}

func startRedis(bin string) (*Redis, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "green-redis-")
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, "redis.log")
	logf, err := os.Create(logPath)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	defer logf.Close()
	cmd := exec.Command(bin,
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--dir", dir, "--save", "", "--appendonly", "no",
		"--hz", "500", "--maxclients", "4000", "--protected-mode", "no")
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	r := &Redis{addr: hostPort(port), dir: dir, cmd: cmd, exited: make(chan struct{})}
	go func() { cmd.Wait(); close(r.exited) }()
	if err := waitFor(r.ping, r.exited, 10*time.Second); err != nil {
		r.Stop()
		log, _ := os.ReadFile(logPath)
		return nil, fmt.Errorf("redis-server on port %d: %w\n%s", port, err, tail(log))
	}
	return r, nil
}

func (r *Redis) ping() error {
	c, err := net.DialTimeout("tcp", r.addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "+PONG") {
		return fmt.Errorf("PING answered %q", line)
	}
	return nil
}

// Stop kills the server and removes its directory.
func (r *Redis) Stop() {
	r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.exited:
	case <-time.After(5 * time.Second):
		r.cmd.Process.Kill()
		<-r.exited
	}
	os.RemoveAll(r.dir)
}

// tail returns the last lines of a log, for error messages.
func tail(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 15 {
		lines = lines[len(lines)-15:]
	}
	return strings.Join(lines, "\n")
}
