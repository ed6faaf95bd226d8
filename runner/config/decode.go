package config

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxNodes bounds the YAML nodes one decode visits, aliases expanded, so
// that an alias bomb costs an error rather than memory.
const maxNodes = 100_000

// maxErrors bounds the errors one decode reports.
const maxErrors = 50

// errTooComplex ends a decode that visited maxNodes nodes.
var errTooComplex = errors.New("document too complex")

// decoder decodes a yaml.Node tree into Go values strictly: unknown and
// duplicate keys and shape mismatches become *FieldError values carrying
// the dotted path and the line, and decoding goes on so that every problem
// is reported at once.
type decoder struct {
	errs  []error
	nodes int
}

func (d *decoder) fail(path string, n *yaml.Node, format string, args ...any) {
	switch {
	case len(d.errs) > maxErrors:
		return
	case len(d.errs) == maxErrors:
		d.errs = append(d.errs, &FieldError{Path: "(config)", Msg: "too many errors; stopped reporting"})
		return
	}
	e := &FieldError{Path: path, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	d.errs = append(d.errs, e)
}

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

// decode stores n into v, which must be settable.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	d.nodes++
	if d.nodes > maxNodes {
		if d.nodes == maxNodes+1 {
			d.errs = append(d.errs, &FieldError{Path: orRoot(path), Msg: errTooComplex.Error()})
		}
		return
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 1 {
			d.decode(n.Content[0], v, path)
		}
		return
	case yaml.AliasNode:
		if n.Alias != nil {
			d.decode(n.Alias, v, path)
		}
		return
	}
	// A null leaves the default in place: "clients:" with nothing under it
	// means no clients, and "timeouts: ~" the default timeouts.
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	if v.CanAddr() && v.Addr().Type().Implements(unmarshalerType) {
		if err := v.Addr().Interface().(yaml.Unmarshaler).UnmarshalYAML(n); err != nil {
			d.fail(orRoot(path), n, "%s", err.Error())
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(n, v.Elem(), path)
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.fail(orRoot(path), n, "want a list, got %s", describe(n))
			return
		}
		if len(n.Content) == 0 {
			v.SetZero() // "[]" means none, like a missing field
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.decode(item, s.Index(i), path+"["+strconv.Itoa(i)+"]")
		}
		v.Set(s)
	case reflect.Map:
		d.decodeMap(n, v, path)
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.fail(orRoot(path), n, "want a string, got %s", describe(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&b) != nil {
			d.fail(orRoot(path), n, "want true or false, got %s", describe(n))
			return
		}
		v.SetBool(b)
	case reflect.Int:
		var i int
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&i) != nil {
			d.fail(orRoot(path), n, "want a whole number, got %s", describe(n))
			return
		}
		v.SetInt(int64(i))
	default:
		// Only reachable if Config gains a field of a kind not handled
		// above; a test decodes every field, so this is a programming error.
		d.fail(orRoot(path), n, "cannot decode into %s", v.Type())
	}
}

// decodeStruct matches mapping keys to the struct's yaml tags exactly.
func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(orRoot(path), n, "want a mapping, got %s", describe(n))
		return
	}
	fields := yamlFields(v.Type())
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.fail(orRoot(path), k, "want a field name, got %s", describe(k))
			continue
		}
		p := join(path, k.Value)
		if seen[k.Value] {
			d.fail(p, k, "duplicate field")
			continue
		}
		seen[k.Value] = true
		idx, ok := fields[k.Value]
		if !ok {
			d.fail(p, k, "unknown field%s", suggest(k.Value, fields))
			continue
		}
		d.decode(val, v.Field(idx), p)
	}
}

// decodeMap decodes a mapping with string keys.
func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(orRoot(path), n, "want a mapping, got %s", describe(n))
		return
	}
	if len(n.Content) == 0 {
		v.SetZero() // "{}" means none, like a missing field
		return
	}
	m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.fail(orRoot(path), k, "want a string key, got %s", describe(k))
			continue
		}
		p := join(path, k.Value)
		if m.MapIndex(reflect.ValueOf(k.Value)).IsValid() {
			d.fail(p, k, "duplicate key")
			continue
		}
		e := reflect.New(v.Type().Elem()).Elem()
		d.decode(val, e, p)
		m.SetMapIndex(reflect.ValueOf(k.Value), e)
	}
	v.Set(m)
}

// yamlFields maps yaml tag names to field indexes; fields tagged "-" are
// not decodable.
func yamlFields(t reflect.Type) map[string]int {
	m := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		m[name] = i
	}
	return m
}

// suggest names the known field a mistyped key most likely meant, else lists
// them all.
func suggest(key string, fields map[string]int) string {
	names := make([]string, 0, len(fields))
	for name := range fields {
		if strings.EqualFold(name, key) {
			return fmt.Sprintf("; did you mean %q?", name)
		}
		names = append(names, name)
	}
	sort.Strings(names)
	return " (want one of " + strings.Join(names, ", ") + ")"
}

// describe names a node's shape for messages without quoting much of it.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		v := n.Value
		if len(v) > 40 {
			v = v[:40] + "..."
		}
		return strconv.Quote(v)
	}
	return "an empty document"
}

// join appends a key to a path; a key that is not a plain name is quoted
// in brackets so the path stays unambiguous: env["A B"], [""].
func join(path, key string) string {
	if !plainKey.MatchString(key) {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

var plainKey = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// orRoot names the top level for errors that concern the whole document.
func orRoot(path string) string {
	if path == "" {
		return "(config)"
	}
	return path
}
