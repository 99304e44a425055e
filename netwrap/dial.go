//go:build unix

package netwrap

import (
	"context"
	"net"
	"net/netip"
	"os"
	"strconv"
	"time"

	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/threadpool"
	"golang.org/x/sys/unix"
)

// Dialer dials cooperatively, mirroring net.Dialer. The zero value dials
// with no timeout other than the context's, from an address the system
// picks, with package net's default keep-alive.
type Dialer struct {
	// Timeout bounds the whole dial, name resolution included. Zero
	// value: no timeout (the context and Deadline still apply).
	Timeout time.Duration

	// Deadline is an absolute time after which the dial fails. Zero
	// value: none.
	Deadline time.Time

	// LocalAddr is the local address to dial from (a *net.TCPAddr for
	// TCP). Zero value: chosen by the system.
	LocalAddr net.Addr

	// KeepAlive is the TCP keep-alive period, as in net.Dialer. Zero
	// value: keep-alive on with package net's default period (15 s);
	// negative: off.
	KeepAlive time.Duration
}

// Dial connects to address on network, like net.Dial: a stream ("tcp",
// "tcp4", "tcp6", "unix") or a connected datagram socket ("udp", "udp4",
// "udp6", "unixgram"), whose Read and Write carry one datagram each. In a
// greenlet the connect is non-blocking and the greenlet parks until it
// completes; name resolution runs on a plain goroutine meanwhile. From a
// plain goroutine it is net.Dial.
func Dial(network, address string) (*Conn, error) {
	var d Dialer
	return d.DialContext(context.Background(), network, address)
}

// DialTimeout is Dial with a timeout, like net.DialTimeout.
func DialTimeout(network, address string, timeout time.Duration) (*Conn, error) {
	d := Dialer{Timeout: timeout}
	return d.DialContext(context.Background(), network, address)
}

// Dial is DialContext with the background context.
func (d *Dialer) Dial(network, address string) (*Conn, error) {
	return d.DialContext(context.Background(), network, address)
}

// DialContext connects to address on network (see Dial for the networks).
// Cancelling ctx, or its deadline, aborts the dial (with a *net.OpError
// wrapping ctx.Err() or os.ErrDeadlineExceeded). In a greenlet the connect
// parks the greenlet; from a plain goroutine it is net.Dialer.DialContext;
// in a hub callback it fails with hub.ErrNotCoroutine. A nil *Dialer dials
// like the zero Dialer and a nil ctx is the background context.
func (d *Dialer) DialContext(ctx context.Context, network, address string) (*Conn, error) {
	if d == nil {
		d = &Dialer{}
	}
	if ctx == nil {
		ctx = context.Background()
	}
	g, h := hub.Current()
	if g == nil {
		if h != nil {
			return nil, &net.OpError{Op: "dial", Net: network, Err: hub.ErrNotCoroutine}
		}
		return d.dialStd(ctx, network, address)
	}
	ctx, cancel := d.withDeadline(ctx)
	defer cancel()
	switch network {
	case "unix", "unixgram":
		return d.dialUnix(ctx, h, network, address)
	case "tcp", "tcp4", "tcp6", "udp", "udp4", "udp6":
		return d.dialIP(ctx, h, network, address)
	}
	return nil, d.opErr(network, nil, ErrUnknownNetwork)
}

// dialStd is DialContext for a plain goroutine: package net's dialer.
func (d *Dialer) dialStd(ctx context.Context, network, address string) (*Conn, error) {
	nd := net.Dialer{Timeout: d.Timeout, Deadline: d.Deadline, LocalAddr: d.LocalAddr, KeepAlive: d.KeepAlive}
	c, err := nd.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	w, err := Wrap(c)
	if err != nil {
		c.Close()
		return nil, err
	}
	w.owned = true
	return w, nil
}

// withDeadline bounds ctx by the earliest of Timeout, Deadline and ctx's
// own deadline, as net.Dialer does.
func (d *Dialer) withDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline := d.Deadline
	if d.Timeout != 0 {
		if t := time.Now().Add(d.Timeout); deadline.IsZero() || t.Before(deadline) {
			deadline = t
		}
	}
	if t, ok := ctx.Deadline(); ok && (deadline.IsZero() || t.Before(deadline)) {
		deadline = t
	}
	if deadline.IsZero() {
		return ctx, func() {}
	}
	return context.WithDeadline(ctx, deadline)
}

func (d *Dialer) opErr(network string, addr net.Addr, err error) error {
	if err == context.DeadlineExceeded {
		err = errDeadline
	}
	return &net.OpError{Op: "dial", Net: network, Source: d.LocalAddr, Addr: addr, Err: err}
}

// dialUnix connects a Unix stream or datagram socket from a greenlet of h.
func (d *Dialer) dialUnix(ctx context.Context, h *hub.Hub, network, address string) (*Conn, error) {
	sotype := unix.SOCK_STREAM
	if network == "unixgram" {
		sotype = unix.SOCK_DGRAM
	}
	var local unix.Sockaddr
	if la, ok := d.LocalAddr.(*net.UnixAddr); ok && la != nil {
		local = &unix.SockaddrUnix{Name: la.Name}
	}
	c, err := connect(ctx, h, unix.AF_UNIX, sotype, &unix.SockaddrUnix{Name: address}, local)
	if err != nil {
		return nil, d.opErr(network, &net.UnixAddr{Name: address, Net: network}, err)
	}
	return c, nil
}

// dialIP connects a TCP or UDP socket from a greenlet of h, trying the
// resolved addresses in turn.
func (d *Dialer) dialIP(ctx context.Context, h *hub.Hub, network, address string) (*Conn, error) {
	addrs, err := resolveTCP(ctx, network, address, false)
	if err != nil {
		return nil, d.opErr(network, nil, err)
	}
	tcp := network[:3] == "tcp"
	sotype := unix.SOCK_STREAM
	if !tcp {
		sotype = unix.SOCK_DGRAM
	}
	var first error
	for _, ap := range addrs {
		family, sa := sockaddr(ap)
		c, err := connect(ctx, h, family, sotype, sa, d.localIP(family))
		if err == nil {
			if tcp && d.KeepAlive >= 0 {
				period := d.KeepAlive
				if period == 0 {
					period = 15 * time.Second
				}
				c.SetKeepAlive(true)
				c.SetKeepAlivePeriod(period)
			}
			return c, nil
		}
		if first == nil {
			var addr net.Addr = net.TCPAddrFromAddrPort(ap)
			if !tcp {
				addr = net.UDPAddrFromAddrPort(ap)
			}
			first = d.opErr(network, addr, err)
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, first
}

// localIP returns the address to bind before connecting a socket of the
// family, from LocalAddr (a *net.TCPAddr or *net.UDPAddr; one without an
// IP binds the family's unspecified address), or nil to let the system
// choose.
func (d *Dialer) localIP(family int) unix.Sockaddr {
	var ip net.IP
	var port int
	switch a := d.LocalAddr.(type) {
	case *net.TCPAddr:
		if a == nil {
			return nil
		}
		ip, port = a.IP, a.Port
	case *net.UDPAddr:
		if a == nil {
			return nil
		}
		ip, port = a.IP, a.Port
	default:
		return nil
	}
	addr, ok := netip.AddrFromSlice(ip)
	if !ok {
		addr = netip.IPv4Unspecified()
		if family == unix.AF_INET6 {
			addr = netip.IPv6Unspecified()
		}
	}
	_, sa := sockaddr(netip.AddrPortFrom(addr.Unmap(), uint16(port)))
	return sa
}

// connect makes a non-blocking connect of a socket of the given family and
// type (SOCK_STREAM or SOCK_DGRAM) from the calling greenlet of h and parks
// until it completes or ctx ends.
func connect(ctx context.Context, h *hub.Hub, family, sotype int, sa, local unix.Sockaddr) (*Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fd, err := socket(family, sotype)
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	ok := false
	defer func() {
		if !ok {
			unix.Close(fd)
		}
	}()
	if local != nil {
		if err := unix.Bind(fd, local); err != nil {
			return nil, os.NewSyscallError("bind", err)
		}
	}
	switch err := unix.Connect(fd, sa); err {
	case nil:
	case unix.EINPROGRESS, unix.EINTR, unix.EALREADY:
		if err := waitConnect(ctx, h, fd); err != nil {
			return nil, err
		}
	default:
		return nil, os.NewSyscallError("connect", err)
	}
	ok = true
	if family != unix.AF_UNIX && sotype == unix.SOCK_STREAM {
		return newLazyConn(fd, addrPort(sa)), nil
	}
	return adoptConn(fd, sotype == unix.SOCK_DGRAM)
}

func waitConnect(ctx context.Context, h *hub.Hub, fd int) error {
	hfd, err := h.Register(fd)
	if err != nil {
		return err
	}
	defer hfd.Close()
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, func() {
			err := ctx.Err()
			h.Post(func() {
				if !hfd.Closed() {
					hfd.Cancel(false, true, err)
				}
			})
		})
		defer stop()
	}
	for {
		if err := hfd.WaitWrite(-1); err != nil {
			if err == context.DeadlineExceeded {
				err = errDeadline
			}
			return err
		}
		soerr, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
		if err != nil {
			return os.NewSyscallError("getsockopt", err)
		}
		switch e := unix.Errno(soerr); e {
		case 0:
			if _, err := unix.Getpeername(fd); err == nil {
				return nil
			}
			// Not connected yet: the registration's initial
			// readiness was consumed; wait for the real edge.
		case unix.EINPROGRESS, unix.EALREADY, unix.EINTR:
		default:
			return os.NewSyscallError("connect", e)
		}
	}
}

// resolveTCP turns host:port into addresses, resolving names on a plain
// goroutine. An empty host means the loopback address for a dial and the
// unspecified address for a listen.
func resolveTCP(ctx context.Context, network, address string, listen bool) ([]netip.AddrPort, error) {
	host, sport, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	port, err := strconv.ParseUint(sport, 10, 16)
	if err != nil {
		p, err := threadpool.CallContext(ctx, func(ctx context.Context) (int, error) { return net.DefaultResolver.LookupPort(ctx, network, sport) })
		if err != nil {
			return nil, err
		}
		port = uint64(p)
	}
	var ips []netip.Addr
	switch {
	case host == "" && listen:
		ips = []netip.Addr{netip.IPv4Unspecified()}
		if network == "tcp6" || network == "udp6" {
			ips = []netip.Addr{netip.IPv6Unspecified()}
		}
	case host == "":
		ips = []netip.Addr{netip.AddrFrom4([4]byte{127, 0, 0, 1})}
		if network == "tcp6" || network == "udp6" {
			ips = []netip.Addr{netip.IPv6Loopback()}
		}
	default:
		if ip, err := netip.ParseAddr(host); err == nil {
			ips = []netip.Addr{ip}
			break
		}
		ipnet := "ip"
		switch network {
		case "tcp4", "udp4":
			ipnet = "ip4"
		case "tcp6", "udp6":
			ipnet = "ip6"
		}
		ips, err = threadpool.CallContext(ctx, func(ctx context.Context) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, ipnet, host)
		})
		if err != nil {
			return nil, err
		}
	}
	out := make([]netip.AddrPort, 0, len(ips))
	for _, ip := range ips {
		ip = ip.Unmap()
		if (network == "tcp4" || network == "udp4") && !ip.Is4() || (network == "tcp6" || network == "udp6") && !ip.Is6() {
			continue
		}
		out = append(out, netip.AddrPortFrom(ip, uint16(port)))
	}
	if len(out) == 0 {
		return nil, &net.AddrError{Err: "no suitable address found", Addr: host}
	}
	return out, nil
}

func sockaddr(ap netip.AddrPort) (int, unix.Sockaddr) {
	ip := ap.Addr()
	if ip.Is4() {
		return unix.AF_INET, &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ip.As4()}
	}
	sa := &unix.SockaddrInet6{Port: int(ap.Port()), Addr: ip.As16()}
	if z := ip.Zone(); z != "" {
		if ifi, err := net.InterfaceByName(z); err == nil {
			sa.ZoneId = uint32(ifi.Index)
		}
	}
	return unix.AF_INET6, sa
}
