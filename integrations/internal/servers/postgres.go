package servers

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"time"
)

// Postgres is a PostgreSQL server (postmaster) child process with its own
// cluster in a temporary directory.
type Postgres struct {
	addr   string
	dir    string
	cmd    *exec.Cmd
	exited chan struct{}
}

// Addr returns the server's host:port.
func (p *Postgres) Addr() string { return p.addr }

// DSN returns a connection string for the superuser "postgres" (trust
// authentication, database "postgres").
func (p *Postgres) DSN() string {
	return "postgres://postgres@" + p.addr + "/postgres?sslmode=disable"
}

// StartPostgres creates a cluster with initdb in a temporary directory and
// starts its postmaster on a free loopback port, with max_connections 500
// and durability off (fsync, synchronous_commit). The binaries are found
// under /usr/lib/postgresql/*/bin (Debian) or on PATH. PostgreSQL refuses
// to run as root: as root, initdb and the postmaster run as the user
// "postgres" (created by Debian's package), through the process
// credentials rather than su, so that the postmaster is this process's
// child and dies with it.
func StartPostgres() (*Postgres, error) {
	bin, err := pgBinDir()
	if err != nil {
		return nil, err
	}
	cred, uid, gid, err := pgCredential()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "green-pg-")
	if err != nil {
		return nil, err
	}
	if cred != nil {
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres",
		"--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	initdb.Env = append(os.Environ(), "LC_ALL=C")
	if out, err := initdb.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %w\n%s", err, tail(out))
	}
	var last error
	for attempt := 0; attempt < 3; attempt++ { // a port taken between probe and bind: retry
		p, err := startPostmaster(bin, dir, data, cred)
		if err == nil {
			return p, nil
		}
		last = err
	}
	os.RemoveAll(dir)
	return nil, last
}

func startPostmaster(bin, dir, data string, cred *syscall.Credential) (*Postgres, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, "postgres.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	if cred != nil {
		os.Chown(logPath, int(cred.Uid), int(cred.Gid))
	}
	cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", data,
		"-p", strconv.Itoa(port), "-k", dir,
		"-c", "listen_addresses=127.0.0.1",
		"-c", "max_connections=500",
		"-c", "shared_buffers=32MB",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	// SIGQUIT is PostgreSQL's immediate shutdown: if this process dies,
	// the postmaster and its backends go with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &Postgres{addr: hostPort(port), dir: dir, cmd: cmd, exited: make(chan struct{})}
	go func() { cmd.Wait(); close(p.exited) }()
	ready := func() error {
		out, err := exec.Command(filepath.Join(bin, "pg_isready"), "-q", "-h", "127.0.0.1",
			"-p", strconv.Itoa(port), "-U", "postgres").CombinedOutput()
		if err != nil {
			return fmt.Errorf("pg_isready: %v %s", err, out)
		}
		return nil
	}
	if err := waitFor(ready, p.exited, 30*time.Second); err != nil {
		p.stop()
		log, _ := os.ReadFile(logPath)
		return nil, fmt.Errorf("postgres on port %d: %w\n%s", port, err, tail(log))
	}
	return p, nil
}

// Stop shuts the server down (fast shutdown) and removes its directory.
func (p *Postgres) Stop() {
	p.stop()
	os.RemoveAll(p.dir)
}

func (p *Postgres) stop() {
	p.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-p.exited:
		case <-time.After(5 * time.Second):
			p.cmd.Process.Kill()
			<-p.exited
		}
	}
}

// pgBinDir finds the directory of initdb and postgres: the newest
// /usr/lib/postgresql/N/bin, else initdb's directory on PATH.
func pgBinDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgVersion(dirs[i]) < pgVersion(dirs[j]) })
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i], nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", fmt.Errorf("PostgreSQL's initdb not found under /usr/lib/postgresql/*/bin nor on PATH (apt-get install -y postgresql)")
}

func pgVersion(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// pgCredential returns the credential to run PostgreSQL's programs with:
// nil when this process is not root, the user "postgres" otherwise.
func pgCredential() (*syscall.Credential, int, int, error) {
	if os.Geteuid() != 0 {
		return nil, 0, 0, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, 0, 0, fmt.Errorf("running as root and there is no user \"postgres\" to run PostgreSQL as (apt-get install -y postgresql creates it; or useradd postgres): %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}, uid, gid, nil
}
