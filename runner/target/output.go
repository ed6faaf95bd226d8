package target

import (
	"bytes"
	"fmt"
	"sync"
)

// MaxLogBytes bounds the output kept per target; older output is dropped.
const MaxLogBytes = 1 << 20

// maxLineBytes bounds one pending (unterminated) line; a longer line is
// flushed in pieces so a target that never prints '\n' cannot grow memory.
const maxLineBytes = 64 << 10

// output keeps the last max bytes of a target's output, line by line, and
// watches for a line containing match (the log-line readiness probe).
// Several streams (stdout, stderr) write through their own stream so that
// their lines interleave whole.
type output struct {
	mu      sync.Mutex
	max     int
	buf     []byte // up to 2*max bytes; the last max of them are kept
	total   int64  // bytes ever written
	match   string
	seen    chan struct{} // closed once a line contains match
	matched bool
}

func newOutput(max int, match string) *output {
	return &output{max: max, match: match, seen: make(chan struct{})}
}

// stream returns a writer for one output stream. Its pending partial line is
// kept apart from other streams until '\n' arrives or Close flushes it.
func (o *output) stream() *stream { return &stream{o: o} }

// line appends one complete line (with its '\n') and checks it for match.
func (o *output) line(l []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.match != "" && !o.matched && bytes.Contains(l, []byte(o.match)) {
		o.matched = true
		close(o.seen)
	}
	o.total += int64(len(l))
	o.buf = append(o.buf, l...)
	// Compact only when twice over the bound, so a chatty target costs
	// amortised O(1) per byte rather than a copy of max bytes per line.
	if len(o.buf) > 2*o.max {
		o.buf = append(o.buf[:0:0], o.kept()...)
	}
}

// kept is the last max bytes of buf, without a leading partial line.
// The caller holds mu.
func (o *output) kept() []byte {
	b := o.buf
	if len(b) > o.max {
		b = b[len(b)-o.max:]
		if i := bytes.IndexByte(b, '\n'); i >= 0 && i+1 < len(b) {
			b = b[i+1:]
		}
	}
	return b
}

// replace swaps in the content of src (a complete copy of the same output);
// the match state stays.
func (o *output) replace(src *output) {
	src.mu.Lock()
	buf, total := src.buf, src.total
	src.mu.Unlock()
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf, o.total = buf, total
}

// Bytes returns a copy of what is kept, preceded by a note when older output
// was dropped; nil when nothing was written.
func (o *output) Bytes() []byte {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.total == 0 {
		return nil
	}
	kept := o.kept()
	var b []byte
	if dropped := o.total - int64(len(kept)); dropped > 0 {
		b = fmt.Appendf(b, "[assay: %d earlier bytes of output dropped]\n", dropped)
	}
	return append(b, kept...)
}

// stream is one writer into an output; it is not safe for concurrent use,
// which matches one goroutine copying one pipe.
type stream struct {
	o       *output
	pending []byte
}

func (s *stream) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			s.pending = append(s.pending, p...)
			if len(s.pending) >= maxLineBytes {
				s.flush()
			}
			break
		}
		s.pending = append(s.pending, p[:i+1]...)
		s.o.line(s.pending)
		s.pending = s.pending[:0]
		p = p[i+1:]
	}
	return n, nil
}

// Close flushes a final line that had no '\n'.
func (s *stream) Close() error {
	if len(s.pending) > 0 {
		s.flush()
	}
	return nil
}

func (s *stream) flush() {
	s.o.line(append(s.pending, '\n'))
	s.pending = s.pending[:0]
}
