package cartridge

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/interop/badinput"
	"github.com/cairn-learning/cairn/internal/limits"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// zipDir zips the files of dir as an exporter would, manifest first.
func zipDir(t testing.TB, dir string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	var names []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		names = append(names, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range names {
		if n == ManifestFile {
			names[0], names[i] = names[i], names[0]
		}
	}
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(n)))
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// golden compares got, as indented JSON, with testdata/golden/name.
func golden(t *testing.T, name string, got any) {
	t.Helper()
	data, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, '\n')
	file := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if diff := cmp.Diff(string(want), string(data)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", file, diff)
	}
}

// parsed is what a test compares of a cartridge: the parse, warnings as
// lines.
type parsed struct {
	Name, Version, Title, Language string
	Thin                           bool
	Entries                        []Entry
	Warnings                       []string
}

func summary(c *Cartridge) parsed {
	r := parsed{Name: c.Name, Version: c.Version, Title: c.Title, Language: c.Language, Thin: c.Thin, Entries: c.Entries}
	for _, w := range c.Warnings {
		r.Warnings = append(r.Warnings, w.String())
	}
	return r
}

func TestReadGood(t *testing.T) {
	for _, tc := range []struct {
		name, path string
	}{
		{"fractions-cc13", "testdata/fractions-cc13"},
		{"thin-cc13", "testdata/thin-cc13.xml"},
		{"links-cc11", "testdata/links-cc11"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Open(tc.path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			golden(t, tc.name+".golden.json", summary(c))
			if info, _ := os.Stat(tc.path); info.IsDir() {
				// The same cartridge zipped reads the same.
				data := zipDir(t, tc.path)
				z, err := ReadZip(bytes.NewReader(data), int64(len(data)), c.Name)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(summary(c), summary(z), cmp.AllowUnexported(Cartridge{})); diff != "" {
					t.Errorf("zipped (-folder +zip):\n%s", diff)
				}
				for _, e := range z.Entries {
					if e.Kind != KindFile {
						continue
					}
					got, err := z.ReadFile(e, 1<<20)
					if err != nil {
						t.Fatal(err)
					}
					want, _ := os.ReadFile(filepath.Join(tc.path, filepath.FromSlash(e.File)))
					if !bytes.Equal(got, want) {
						t.Errorf("ReadFile(%s) = %q, want %q", e.File, got, want)
					}
				}
			}
		})
	}
}

// problems is the problems of err, one per line, or fails.
func problems(t *testing.T, err error) []string {
	t.Helper()
	var be *badinput.Error
	if !errors.As(err, &be) {
		t.Fatalf("err = %v (%T), want a *badinput.Error", err, err)
	}
	var out []string
	for _, p := range be.Problems {
		out = append(out, p.String())
	}
	return out
}

// manifest13 is a CC 1.3 manifest around the organization's items and the
// resources.
func manifest13(items, resources string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="m" xmlns="http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1">
<organizations><organization identifier="o"><item identifier="root">
` + items + `
</item></organization></organizations>
<resources>
` + resources + `
</resources>
</manifest>
`
}

func TestReadBad(t *testing.T) {
	link := `<resource identifier="r" type="imswl_xmlv1p3"><webLink><title>t</title><url href="https://example.org"/></webLink></resource>`
	for _, tc := range []struct {
		name     string
		manifest string
		files    map[string]string
		want     []string
	}{
		{"syntax", "<?xml version=\"1.0\"?>\n<manifest>\n  <item>\n</manifest>\n", nil,
			[]string{"imsmanifest.xml:4:12: not well-formed XML: element <item> closed by </manifest>"}},
		{"not a manifest", "<html/>", nil,
			[]string{"imsmanifest.xml:1:1: the root element is <html>: a Common Cartridge manifest is a <manifest>"}},
		{"SCORM", `<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"/>`, nil,
			[]string{"imsmanifest.xml:1:1: an IMS content package (such as SCORM), not a Common Cartridge: export the course as Common Cartridge 1.1, 1.2 or 1.3"}},
		{"unknown namespace", `<manifest xmlns="urn:x"/>`, nil,
			[]string{`imsmanifest.xml:1:1: xmlns: the namespace "urn:x" is not one of Common Cartridge 1.0 to 1.3 (http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1 for 1.3)`}},
		{"missing resource", manifest13(`<item identifier="i" identifierref="nope"><title>x</title></item>`, link), nil,
			[]string{`imsmanifest.xml:4:1: identifierref: item "i" opens resource "nope", which the manifest does not define`}},
		{"missing descriptor", manifest13(`<item identifier="i" identifierref="r"/>`,
			`<resource identifier="r" type="imswl_xmlv1p3"><file href="links/gone.xml"/></resource>`), map[string]string{},
			[]string{`imsmanifest.xml:7:1: file: resource "r" is described in links/gone.xml, which is not in the package`}},
		{"missing file", manifest13(`<item identifier="i" identifierref="r"/>`,
			`<resource identifier="r" type="webcontent" href="pages/gone.html"><file href="pages/gone.html"/></resource>`), map[string]string{},
			[]string{`imsmanifest.xml:7:1: href: resource "r" opens pages/gone.html, which is not in the package`}},
		{"zip slip", manifest13(`<item identifier="i" identifierref="r"/>`,
			`<resource identifier="r" type="webcontent" href="../../etc/passwd"><file href="/etc/passwd"/></resource>`), map[string]string{},
			[]string{
				`imsmanifest.xml:7:1: href: "../../etc/passwd" climbs out of its folder with ..: a path must stay inside the package`,
				`imsmanifest.xml:7:68: file.href: "/etc/passwd" is an absolute path: a path in a package starts at its top`,
			}},
		{"broken descriptor", manifest13(`<item identifier="i" identifierref="r"/>`,
			`<resource identifier="r" type="imswl_xmlv1p3"><file href="l.xml"/></resource>`), map[string]string{"l.xml": "<webLink>\n<title>x</title>\n<url href=\"https://e.org\">\n</webLink>"},
			[]string{`l.xml:4:11: not well-formed XML: element <url> closed by </webLink>`}},
		{"long title", manifest13(`<item identifier="i" identifierref="r"><title>`+strings.Repeat("é", 201)+`</title></item>`, link), nil,
			[]string{`imsmanifest.xml:4:40: item.title: longer than the 200 characters a title may have`}},
		{"duplicate resource", manifest13(``, link+"\n"+link), nil,
			[]string{`imsmanifest.xml:8:1: identifier: resource "r" is already defined on line 7`}},
		{"deep", strings.Repeat("<a>", 100) + strings.Repeat("</a>", 100), nil,
			[]string{`imsmanifest.xml:1:193: nested more than the 64 levels a manifest may nest`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.files == nil {
				_, err = ReadManifest(strings.NewReader(tc.manifest), "course.imscc")
			} else {
				fsys := fstest.MapFS{ManifestFile: {Data: []byte(tc.manifest)}}
				for k, v := range tc.files {
					fsys[k] = &fstest.MapFile{Data: []byte(v)}
				}
				_, err = Read(fsys, "course.imscc")
			}
			if diff := cmp.Diff(tc.want, problems(t, err)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadZipBounds(t *testing.T) {
	build := func(files map[string]string) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for n, s := range files {
			w, _ := zw.Create(n)
			w.Write([]byte(s))
		}
		zw.Close()
		return buf.Bytes()
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"not a zip", []byte("hello"), "course.imscc: not a zip file: a Common Cartridge is a zip (.imscc) holding imsmanifest.xml and the files it names"},
		{"no manifest", build(map[string]string{"a.txt": "x"}), "course.imscc: no imsmanifest.xml at the top of the package: a Common Cartridge describes its content there"},
		{"zip slip", build(map[string]string{ManifestFile: "<manifest/>", "../evil.html": "x"}), `course.imscc: the zip holds "../evil.html", whose name climbs out of its folder with ..: a path must stay inside the package`},
		{"bomb", build(map[string]string{ManifestFile: strings.Repeat(" ", 5<<20)}), "course.imscc: imsmanifest.xml expands from 5 KiB to 5 MiB: more than the 100 times its compressed size a file of a zip may expand"},
		{"too many files", manyFiles(limits.CartridgeFiles + 1), "course.imscc: the zip holds 10001 files: more than the 10000 a cartridge may have"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadZip(bytes.NewReader(tc.data), int64(len(tc.data)), "course.imscc")
			if diff := cmp.Diff([]string{tc.want}, problems(t, err)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// manyFiles is a zip of n empty files.
func manyFiles(n int) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := range n {
		zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("f%d", i), Method: zip.Store})
	}
	zw.Close()
	return buf.Bytes()
}

func TestReadBounds(t *testing.T) {
	t.Run("zip too large", func(t *testing.T) {
		_, err := ReadZip(bytes.NewReader(nil), limits.CartridgeBytes+1, "course.imscc")
		want := []string{"course.imscc: the file is 256 MiB: larger than the 256 MiB a cartridge may be"}
		if diff := cmp.Diff(want, problems(t, err)); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("manifest too large", func(t *testing.T) {
		m := "<manifest>" + strings.Repeat("12345678\n", limits.CartridgeManifestBytes/9+1)
		_, err := ReadManifest(strings.NewReader(m), "big.xml")
		want := []string{"imsmanifest.xml:932067:6: larger than the 8 MiB a manifest may be"}
		if diff := cmp.Diff(want, problems(t, err)); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("too many activities", func(t *testing.T) {
		var items strings.Builder
		for i := range limits.CartridgeActivities + 1 {
			fmt.Fprintf(&items, "<item identifier=\"i%d\" identifierref=\"r\"/>\n", i)
		}
		link := `<resource identifier="r" type="imswl_xmlv1p3"><webLink><title>t</title><url href="https://example.org"/></webLink></resource>`
		_, err := ReadManifest(strings.NewReader(manifest13(items.String(), link)), "many.xml")
		want := []string{"imsmanifest.xml:5004:1: more than the 5000 activities a cartridge may bring"}
		if diff := cmp.Diff(want, problems(t, err)); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("versions", func(t *testing.T) {
		for ns, want := range map[string]string{
			"http://www.imsglobal.org/xsd/imscc/imscp_v1p1":       "1.0",
			"http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1":   "1.1",
			"https://www.imsglobal.org/xsd/imsccv1p2/imscp_v1p1/": "1.2",
			"http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1":   "1.3",
		} {
			c, err := ReadManifest(strings.NewReader(`<manifest xmlns="`+ns+`"/>`), "m.xml")
			if err != nil || c.Version != want {
				t.Errorf("%s: version %v, %v; want %s", ns, c, err, want)
			}
		}
	})
}

func TestReadHTMLEntities(t *testing.T) {
	m := manifest13(`<item identifier="i" identifierref="r"><title>Caf&eacute;&nbsp;&amp; math</title></item>`,
		`<resource identifier="r" type="imswl_xmlv1p3"><webLink><title>t</title><url href="https://example.org"/></webLink></resource>`)
	c, err := ReadManifest(strings.NewReader(m), "m.xml")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Entries[0].Title; got != "Café & math" {
		t.Errorf("title %q, want %q", got, "Café & math")
	}
}

func TestReadFindsFilesInAnyCase(t *testing.T) {
	m := manifest13(`<item identifier="i" identifierref="r"><title>Map</title></item>`,
		`<resource identifier="r" type="webcontent" href="Images/Map.PNG"><file href="Images/Map.PNG"/></resource>`)
	c, err := Read(fstest.MapFS{ManifestFile: {Data: []byte(m)}, "images/map.png": {Data: []byte("png")}}, "course.imscc")
	if err != nil {
		t.Fatal(err)
	}
	if e := c.Entries[0]; e.File != "images/map.png" || e.MediaType != "image/png" || len(c.Warnings) != 1 {
		t.Errorf("entry %+v, warnings %v; want images/map.png and one warning", e, c.Warnings)
	}
	b, err := c.ReadFile(c.Entries[0], 10)
	if err != nil || string(b) != "png" {
		t.Errorf("ReadFile: %q, %v", b, err)
	}
}

func TestReadTitleFallsBackToIdentifiers(t *testing.T) {
	m := manifest13(`<item identifierref="r"/>`, `<resource identifier="r" type="imswl_xmlv1p3"><webLink><url href="https://example.org"/></webLink></resource>`)
	c, err := ReadManifest(strings.NewReader(m), "m.xml")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Entries[0].Title; got != "r" {
		t.Errorf("title %q, want the resource's identifier", got)
	}
}

func TestResourceKinds(t *testing.T) {
	for typ, want := range map[string]Kind{
		"webcontent":    KindFile,
		"imswl_xmlv1p1": KindWebLink, "imswl_xmlv1p3": KindWebLink,
		"imsbasiclti_xmlv1p0": KindLTI, "imsbasiclti_xmlv1p3": KindLTI,
		"imsdt_xmlv1p2": KindDiscussion,
		"imsqti_xmlv1p2/imscc_xmlv1p3/assessment":                         KindAssessment,
		"imsqti_xmlv1p2/imscc_xmlv1p1/\n  assessment":                     KindAssessment,
		"assignment_xmlv1p0":                                              KindAssignment,
		"associatedcontent/imscc_xmlv1p1/learning-\napplication-resource": KindAssignment,
		"imsqti_xmlv1p2/imscc_xmlv1p3/question-bank":                      "",
		"imsiwb_iwbv1p0": "",
	} {
		got, ok := resourceKind(typ)
		if got != want || ok != (want != "") {
			t.Errorf("resourceKind(%q) = %q, %v; want %q", typ, got, ok, want)
		}
	}
}
