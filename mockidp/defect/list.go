package defect

import (
	"embed"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// source is this package's own code: All reads the defects from their
// declarations there, so that no list of names can miss one.
//
//go:embed *.go
var source embed.FS

// declarations reads source once: it cannot change while the program runs.
var declarations = sync.OnceValues(func() ([]declaration, error) { return declared(source) })

// declaration is one defect as declared: its name and its comment, which
// says what it breaks (the catalog row it kills, and the lapse).
type declaration struct {
	Name   Name
	Breaks string
}

// All lists every defect name, sorted.
func All() []Name {
	ds, err := declarations()
	if err != nil {
		// The package compiled from this very source, so it parses.
		panic(fmt.Sprintf("defect: read the declarations: %v", err))
	}
	names := make([]Name, len(ds))
	for i, d := range ds {
		names[i] = d.Name
	}
	return names
}

// Known reports whether n is a declared defect.
func Known(n Name) bool {
	for _, x := range All() {
		if x == n {
			return true
		}
	}
	return false
}

// declared reads the constants of type Name from the Go files of fsys.
func declared(fsys fs.FS) ([]declaration, error) {
	files, err := fs.Glob(fsys, "*.go")
	if err != nil {
		return nil, err
	}
	var ds []declaration
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile(fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				if t, ok := vs.Type.(*ast.Ident); !ok || t.Name != "Name" {
					continue
				}
				for i, v := range vs.Values {
					lit, ok := v.(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						return nil, fmt.Errorf("%s: defect %s is not a string literal", fset.Position(v.Pos()), vs.Names[i].Name)
					}
					s, err := strconv.Unquote(lit.Value)
					if err != nil {
						return nil, err
					}
					ds = append(ds, declaration{Name: Name(s), Breaks: strings.TrimSpace(vs.Comment.Text())})
				}
			}
		}
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i].Name < ds[j].Name })
	return ds, nil
}
