package store_test

import (
	"bufio"
	"go/build"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoFormatImports fails when the store package, or anything it
// imports, imports a package under internal/interop: the store reads and
// writes records, and the formats plan imports and write exports from the
// values it hands over (internal/importplan). Its tests may use the
// formats; the package may not. The imports are read from the source with
// go/build, without the go command, following the module's own packages.
func TestNoFormatImports(t *testing.T) {
	root, module := moduleRoot(t)
	forbidden := module + "/internal/interop"
	start := module + "/internal/store"
	// from is the package that imported each one seen first, to name the
	// chain of imports that leads to a forbidden one.
	from := map[string]string{start: ""}
	queue := []string{start}
	for len(queue) > 0 {
		path := queue[0]
		queue = queue[1:]
		pkg, err := build.ImportDir(filepath.Join(root, strings.TrimPrefix(path, module)), 0)
		if err != nil {
			t.Fatalf("reading %s: %v", path, err)
		}
		for _, imp := range pkg.Imports {
			if imp != module && !strings.HasPrefix(imp, module+"/") {
				continue
			}
			if _, seen := from[imp]; seen {
				continue
			}
			from[imp] = path
			if imp == forbidden || strings.HasPrefix(imp, forbidden+"/") {
				chain := imp
				for p := path; p != ""; p = from[p] {
					chain = p + " -> " + chain
				}
				t.Errorf("the store imports a format: %s", chain)
				continue
			}
			queue = append(queue, imp)
		}
	}
	if len(from) < 3 {
		t.Fatalf("only %d packages of the module found from the store: the walk is broken", len(from))
	}
}

// moduleRoot returns the directory of go.mod above the test's directory,
// and the module's path.
func moduleRoot(t *testing.T) (dir, module string) {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		f, err := os.Open(filepath.Join(dir, "go.mod"))
		if err == nil {
			defer f.Close()
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				if m, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
					return dir, strings.Trim(strings.TrimSpace(m), `"`)
				}
			}
			t.Fatalf("%s/go.mod names no module", dir)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}
