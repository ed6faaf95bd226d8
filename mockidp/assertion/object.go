package assertion

import (
	"bytes"
	"encoding/json"
)

// Member is one JSON object member, its value kept as raw bytes so that odd
// types and duplicates survive (catalog.md §3: literal byte strings).
type Member struct {
	Name  string
	Value json.RawMessage
}

// Object is an ordered JSON object that may hold duplicate names.
type Object []Member

// Raw marshals v into a raw JSON value; a json.RawMessage passes through.
func Raw(v any) json.RawMessage {
	if r, ok := v.(json.RawMessage); ok {
		return r
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only unsupported Go values (channels, funcs) fail: a programming error in a row.
		panic("assertion: cannot encode claim value: " + err.Error())
	}
	return bytes.TrimRight(buf.Bytes(), "\n")
}

// Set replaces every member called name by one with value v (kept at the
// first position), or appends it.
func (o Object) Set(name string, v any) Object {
	raw := Raw(v)
	out := make(Object, 0, len(o)+1)
	done := false
	for _, m := range o {
		if m.Name == name {
			if !done {
				out = append(out, Member{name, raw})
				done = true
			}
			continue
		}
		out = append(out, m)
	}
	if !done {
		out = append(out, Member{name, raw})
	}
	return out
}

// Add appends a member even if the name exists (duplicate members).
func (o Object) Add(name string, v any) Object {
	return append(append(Object(nil), o...), Member{name, Raw(v)})
}

// Remove drops every member called name.
func (o Object) Remove(name string) Object {
	out := make(Object, 0, len(o))
	for _, m := range o {
		if m.Name != name {
			out = append(out, m)
		}
	}
	return out
}

// Get returns the first value of name.
func (o Object) Get(name string) (json.RawMessage, bool) {
	for _, m := range o {
		if m.Name == name {
			return m.Value, true
		}
	}
	return nil, false
}

// String returns the string value of name, or "".
func (o Object) String(name string) string {
	raw, ok := o.Get(name)
	if !ok {
		return ""
	}
	var s string
	_ = json.Unmarshal(raw, &s)
	return s
}

// Bytes encodes the object compactly, in order, duplicates included.
func (o Object) Bytes() []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(Raw(m.Name))
		b.WriteByte(':')
		b.Write(m.Value)
	}
	b.WriteByte('}')
	return b.Bytes()
}
