package cartridge

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/interop/badinput"
	"github.com/cairn-learning/cairn/internal/interop/casepkg"
	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/standards"
)

// fractionsCatalog is a district holding the CASE test framework of
// fractions (../casepkg/testdata), its standards numbered from 1 in
// order; retired are the codes of those retired.
func fractionsCatalog(t *testing.T, retired ...string) *standards.Catalog {
	t.Helper()
	f, err := os.Open("../casepkg/testdata/fractions-prerequisites-v1p1.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pkg, err := casepkg.Parse(f, "fractions-prerequisites-v1p1.json")
	if err != nil {
		t.Fatal(err)
	}
	fw := pkg.Framework.Framework
	fw.ID, fw.DistrictID = 1, 1
	var sts []standards.Standard
	for i, s := range pkg.Framework.Standards {
		st := s.Standard
		st.ID, st.DistrictID, st.FrameworkID = int64(i+1), 1, 1
		for _, r := range retired {
			if st.Code == r {
				st.Retired = true
			}
		}
		sts = append(sts, st)
	}
	return standards.NewCatalog(standards.CatalogParts{Language: "en", Frameworks: []standards.Framework{fw}, Standards: sts})
}

func TestPlanGolden(t *testing.T) {
	for _, tc := range []struct {
		name, path string
		retired    []string
	}{
		{"fractions-cc13", "testdata/fractions-cc13", nil},
		{"thin-cc13", "testdata/thin-cc13.xml", nil},
		{"thin-cc13-retired", "testdata/thin-cc13.xml", []string{"3.NF.A.3"}},
		{"links-cc11", "testdata/links-cc11", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Open(tc.path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			opt := PlanOptions{DistrictID: 1, OwnerID: 7, Resolve: CatalogResolver(fractionsCatalog(t, tc.retired...))}
			p, err := Plan(c, opt)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "plan-"+tc.name+".golden.json", p)

			// Planned again against what the first import stored, nothing
			// is made twice.
			opt.Existing = p.Playlists
			again, err := Plan(c, opt)
			if err != nil {
				t.Fatal(err)
			}
			if len(again.Playlists) != 0 || again.AlreadyImported != len(p.Playlists) {
				t.Errorf("planned again: %d playlists, %d already imported; want 0 and %d", len(again.Playlists), again.AlreadyImported, len(p.Playlists))
			}
		})
	}
}

func TestPlanFiles(t *testing.T) {
	for _, from := range []string{"folder", "zip"} {
		t.Run(from, func(t *testing.T) { planFiles(t, from) })
	}
}

// planFiles plans the fractions cartridge opened from a folder or from a
// zip file, and checks the files its activities carry.
func planFiles(t *testing.T, from string) {
	name := "testdata/fractions-cc13"
	if from == "zip" {
		name = filepath.Join(t.TempDir(), "fractions.imscc")
		if err := os.WriteFile(name, zipDir(t, "testdata/fractions-cc13"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c, err := Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p, err := Plan(c, PlanOptions{DistrictID: 1, OwnerID: 7, Resolve: CatalogResolver(fractionsCatalog(t))})
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	for _, pl := range p.Playlists {
		for _, a := range pl.Activities {
			if a.File == nil {
				continue
			}
			files++
			want, err := os.ReadFile("testdata/fractions-cc13/pages/" + a.File.Name)
			if err != nil {
				t.Fatal(err)
			}
			if string(a.File.Data) != string(want) || a.File.Size != int64(len(want)) {
				t.Errorf("%s: %d bytes %q, want the file's %d", a.File.Name, a.File.Size, a.File.Data, len(want))
			}
		}
	}
	if files != 2 { // fair shares, the handout
		t.Errorf("%d activities with a file, want 2", files)
	}
}

func TestPlanSplitsLongPlaylists(t *testing.T) {
	var items, res strings.Builder
	for i := range 150 {
		fmt.Fprintf(&items, `<item identifier="i%d" identifierref="r%d"/>`, i, i)
		fmt.Fprintf(&res, `<resource identifier="r%d" type="imswl_xmlv1p3"><metadata><curriculumStandardsMetadataSet><curriculumStandardsMetadata><setOfGUIDs><labelledGUID><GUID>a1000000-0000-4000-8000-000000000003</GUID></labelledGUID></setOfGUIDs></curriculumStandardsMetadata></curriculumStandardsMetadataSet></metadata><webLink><title>Link %d</title><url href="https://example.org/%d"/></webLink></resource>`, i, i, i)
	}
	c, err := ReadManifest(strings.NewReader(manifest13(items.String(), res.String())), "many.xml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Plan(c, PlanOptions{DistrictID: 1, OwnerID: 7, Resolve: CatalogResolver(fractionsCatalog(t))})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, pl := range p.Playlists {
		got = append(got, fmt.Sprintf("%s: %d", pl.Title, len(pl.Activities)))
	}
	want := []string{"many · 3.NF.A.1 (1 of 2): 100", "many · 3.NF.A.1 (2 of 2): 50"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("playlists (-want +got):\n%s", diff)
	}
}

func TestPlanRefusesTooManyFileBytes(t *testing.T) {
	c := &Cartridge{Name: "big.imscc", Version: "1.3"}
	n := int(limits.CartridgeImportBytes/limits.ActivityFileBytes) + 1
	for i := range n {
		c.Entries = append(c.Entries, Entry{Identifier: fmt.Sprint(i), Title: "Handout", Kind: KindFile, File: fmt.Sprintf("f%d.pdf", i),
			Size: limits.ActivityFileBytes, Standards: []Alignment{{GUID: "a1000000-0000-4000-8000-000000000003"}}})
	}
	_, err := Plan(c, PlanOptions{DistrictID: 1, OwnerID: 7, Resolve: CatalogResolver(fractionsCatalog(t))})
	var be *badinput.Error
	if !errors.As(err, &be) {
		t.Fatalf("err = %v, want a *badinput.Error", err)
	}
	want := "big.imscc: the files to import are 260 MiB together: more than the 256 MiB one import may bring; import the links first, and the files in smaller cartridges"
	if got := be.Error(); got != want {
		t.Errorf("err = %q, want %q", got, want)
	}
}

func TestModality(t *testing.T) {
	for _, tc := range []struct {
		entry Entry
		want  pathways.Modality
	}{
		{Entry{Kind: KindWebLink, URL: "https://www.youtube.com/watch?v=x"}, pathways.Video},
		{Entry{Kind: KindWebLink, URL: "https://youtu.be/x"}, pathways.Video},
		{Entry{Kind: KindWebLink, URL: "https://player.vimeo.com/video/1"}, pathways.Video},
		{Entry{Kind: KindWebLink, URL: "https://example.org/clip.MP4"}, pathways.Video},
		{Entry{Kind: KindWebLink, URL: "https://example.org/reading.pdf"}, pathways.Reading},
		{Entry{Kind: KindWebLink, URL: "https://example.org/lesson.pptx"}, pathways.DirectInstruction},
		{Entry{Kind: KindWebLink, URL: "https://www.desmos.com/calculator"}, pathways.Practice},
		{Entry{Kind: KindWebLink, URL: "https://notyoutube.com/watch"}, pathways.Reading},
		{Entry{Kind: KindWebLink, URL: "https://example.org/page"}, pathways.Reading},
		{Entry{Kind: KindLTI, URL: "https://tool.example.org/launch"}, pathways.Practice},
		{Entry{Kind: KindLTI, URL: "https://edpuzzle.com/lti"}, pathways.Video},
		{Entry{Kind: KindFile, MediaType: "video/mp4"}, pathways.Video},
		{Entry{Kind: KindFile, MediaType: "audio/mpeg"}, pathways.DirectInstruction},
		{Entry{Kind: KindFile, MediaType: mediaType("slides.key")}, pathways.DirectInstruction},
		{Entry{Kind: KindFile, MediaType: mediaType("data.xlsx")}, pathways.Practice},
		{Entry{Kind: KindFile, MediaType: "application/pdf"}, pathways.Reading},
		{Entry{Kind: KindFile, MediaType: "text/html"}, pathways.Reading},
		{Entry{Kind: KindAssessment}, pathways.Practice},
		{Entry{Kind: KindAssignment}, pathways.Project},
		{Entry{Kind: KindDiscussion}, pathways.Inquiry},
	} {
		if got := modality(tc.entry); got != tc.want {
			t.Errorf("modality(%s %s%s) = %s, want %s", tc.entry.Kind, tc.entry.URL, tc.entry.MediaType, got, tc.want)
		}
	}
}

func TestPlanBoundsItsWarnings(t *testing.T) {
	var items, res strings.Builder
	for i := range 300 {
		fmt.Fprintf(&items, `<item identifier="i%d" identifierref="r%d"/>`, i, i)
		fmt.Fprintf(&res, `<resource identifier="r%d" type="imswl_xmlv1p3"><metadata><curriculumStandardsMetadataSet><curriculumStandardsMetadata><setOfGUIDs><labelledGUID><GUID>unknown-%d</GUID></labelledGUID></setOfGUIDs></curriculumStandardsMetadata></curriculumStandardsMetadataSet></metadata><webLink><title>Link %d</title><url href="https://example.org/%d"/></webLink></resource>`, i, i, i, i)
	}
	c, err := ReadManifest(strings.NewReader(manifest13(items.String(), res.String())), "many.xml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Plan(c, PlanOptions{DistrictID: 1, OwnerID: 7, Resolve: CatalogResolver(fractionsCatalog(t))})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(p.Warnings); n != maxPlanWarnings+1 || p.Warnings[n-1] != "and 400 more warnings" || len(p.Unaligned) != 300 {
		t.Errorf("%d warnings ending %q, %d unaligned; want %d, and 400 more, 300", n, p.Warnings[n-1], len(p.Unaligned), maxPlanWarnings+1)
	}
}
