package target

import (
	"bytes"
	"strings"
	"testing"
)

func TestOutputKeepsWholeLinesPerStream(t *testing.T) {
	o := newOutput(1024, "")
	a, b := o.stream(), o.stream()
	a.Write([]byte("stdout he"))
	b.Write([]byte("stderr line\n"))
	a.Write([]byte("llo\nsecond"))
	a.Close()
	got := string(o.Bytes())
	want := "stderr line\nstdout hello\nsecond\n"
	if got != want {
		t.Errorf("Bytes() = %q, want %q", got, want)
	}
}

func TestOutputNilWhenEmpty(t *testing.T) {
	if b := newOutput(1024, "").Bytes(); b != nil {
		t.Errorf("Bytes() = %q, want nil", b)
	}
}

func TestOutputBounded(t *testing.T) {
	const max = 1000
	o := newOutput(max, "")
	s := o.stream()
	line := strings.Repeat("x", 99) + "\n"
	for range 100 {
		s.Write([]byte(line))
	}
	s.Write([]byte("last\n"))
	got := o.Bytes()
	note, kept, _ := bytes.Cut(got, []byte("\n"))
	if !bytes.HasPrefix(note, []byte("[assay: ")) || !bytes.Contains(note, []byte("earlier bytes of output dropped")) {
		t.Errorf("first line %q is not the drop note", note)
	}
	if len(kept) > max {
		t.Errorf("kept %d bytes, bound is %d", len(kept), max)
	}
	if !bytes.HasSuffix(kept, []byte("last\n")) || !bytes.HasPrefix(kept, []byte("xxx")) {
		t.Errorf("kept output does not start on a line and end with the newest line: %q", kept)
	}
	if len(o.buf) > 2*max {
		t.Errorf("internal buffer grew to %d bytes", len(o.buf))
	}
}

func TestOutputLongLineFlushedInPieces(t *testing.T) {
	o := newOutput(MaxLogBytes, "")
	s := o.stream()
	s.Write(bytes.Repeat([]byte("y"), maxLineBytes+10))
	if len(s.pending) >= maxLineBytes {
		t.Errorf("pending line grew to %d bytes", len(s.pending))
	}
	if n := len(o.Bytes()); n < maxLineBytes {
		t.Errorf("only %d bytes flushed", n)
	}
}

func TestOutputMatchAcrossWrites(t *testing.T) {
	o := newOutput(1024, "server ready")
	s := o.stream()
	s.Write([]byte("booting\nserver re"))
	select {
	case <-o.seen:
		t.Fatal("matched a line that was not complete")
	default:
	}
	s.Write([]byte("ady on :8443\n"))
	select {
	case <-o.seen:
	default:
		t.Fatal("did not match a line split over two writes")
	}
	s.Write([]byte("server ready again\n")) // a second match must not close twice
}
