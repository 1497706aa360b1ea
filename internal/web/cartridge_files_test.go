package web

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"html"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
)

// TestCartridgeImportCarriesFiles uploads a zipped cartridge whose pages
// and handouts are files of the package: the activities it makes carry
// them, and the files download as they were in the package.
func TestCartridgeImportCarriesFiles(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var ids []int64
	for _, s := range []struct{ code, guid string }{
		{"3.NF.A.1", "a1000000-0000-4000-8000-000000000003"},
		{"3.NF.A.2", "a1000000-0000-4000-8000-000000000004"},
	} {
		std := standards.Standard{DistrictID: f.district, FrameworkID: f.framework, Code: s.code, SourcedID: s.guid, Statement: "A fractions standard."}
		if err := f.st.CreateStandard(ctx, &std); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, std.ID)
	}
	dir := "../interop/cartridge/testdata/fractions-cc13"
	teacher := f.signedIn(f.teacher)
	body := wantPage(t, teacher.uploadTo("/playlists/import", url.Values{}, "fractions.imscc", zipCartridge(t, dir)), http.StatusOK)
	token := regexp.MustCompile(`name="upload" value="([^"]+)"`).FindStringSubmatch(body)
	if token == nil {
		t.Fatalf("no upload token:\n%s", body)
	}
	res := teacher.post("/playlists/import/apply", url.Values{"upload": {html.UnescapeString(token[1])}})
	if got := location(t, res); got != "/playlists?imported=2" {
		t.Fatalf("applying went to %q, want the library saying two playlists came in", got)
	}
	files := 0
	for _, id := range ids {
		found, err := f.st.SearchPlaylists(ctx, f.district, store.PlaylistQuery{OwnerID: f.teacher, StandardID: id})
		if err != nil || len(found) != 1 {
			t.Fatalf("playlists of standard %d: %d, %v", id, len(found), err)
		}
		for _, a := range found[0].Activities {
			if a.File == nil {
				continue
			}
			files++
			want, err := os.ReadFile(filepath.Join(dir, "pages", a.File.Name))
			if err != nil {
				t.Fatal(err)
			}
			got := teacher.get(fmt.Sprintf("/activities/%d/file", a.ID))
			if got.Status != http.StatusOK || !bytes.Equal(got.Body, want) {
				t.Errorf("%s: %d, %d bytes; want the package's %d", a.File.Name, got.Status, len(got.Body), len(want))
			}
		}
	}
	if files != 2 {
		t.Errorf("%d activities with a file, want 2 (the page and the handout)", files)
	}
}

// zipCartridge zips the files of dir as an exporter would.
func zipCartridge(t *testing.T, dir string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		w, err := zw.Create(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
