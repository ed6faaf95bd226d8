package reference

import (
	stdlog "log"
)

// log discards net/http's server error log: TLS handshake noise from
// deliberately broken clients is not an event worth printing.
type log struct{}

func (*log) Write(p []byte) (int, error) { return len(p), nil }

func (l *log) std() *stdlog.Logger { return stdlog.New(l, "", 0) }
