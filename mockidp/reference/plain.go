package reference

import (
	"bufio"
	"crypto/tls"
	"net"
	"sync"
)

// sniffListener is defect.AcceptPlainHTTP: one port that answers TLS and
// plain HTTP alike, told apart by the first byte (0x16 opens a TLS
// handshake record). A strict server listens TLS only (RFC 6749 §3.2).
type sniffListener struct {
	net.Listener
	cfg *tls.Config
}

// Accept returns at once; the protocol is chosen on the first read, so a
// slow client cannot stall the accept loop.
func (l sniffListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &sniffConn{Conn: c, cfg: l.cfg}, nil
}

type sniffConn struct {
	net.Conn
	cfg   *tls.Config
	once  sync.Once
	inner net.Conn
}

func (c *sniffConn) pick() net.Conn {
	c.once.Do(func() {
		br := bufio.NewReader(c.Conn)
		pc := &peekedConn{Conn: c.Conn, r: br}
		if b, err := br.Peek(1); err == nil && b[0] == 0x16 {
			c.inner = tls.Server(pc, c.cfg)
			return
		}
		c.inner = pc
	})
	return c.inner
}

func (c *sniffConn) Read(p []byte) (int, error)  { return c.pick().Read(p) }
func (c *sniffConn) Write(p []byte) (int, error) { return c.pick().Write(p) }

// peekedConn reads through the buffer that holds the sniffed byte.
type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *peekedConn) Read(p []byte) (int, error) { return c.r.Read(p) }
