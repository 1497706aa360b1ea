package main

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/store"
)

// rosterZip zips the 1.2 fixture with users.csv replaced by users, stored
// as it comes (already deflated) when raw is set, with the size given.
func rosterZip(t *testing.T, users []byte, raw bool, size uint64) string {
	t.Helper()
	src := filepath.Join(onerosterData, "bulk-v1p2")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		if e.Name() == "users.csv" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		w, _ := zw.Create(e.Name())
		w.Write(b)
	}
	if raw {
		w, err := zw.CreateRaw(&zip.FileHeader{Name: "users.csv", Method: zip.Deflate, CompressedSize64: uint64(len(users)), UncompressedSize64: size})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(users)
	} else {
		w, _ := zw.Create("users.csv")
		w.Write(users)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(t.TempDir(), "sis.zip")
	if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

// usersStart is users.csv of the fixture up to the given name of its
// second user.
const usersStart = "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,preferredGivenName,preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns,metadata.district.homeLanguage\n" +
	"usr-s1,,,true,ana.lopez,,Ana,López,,,,,,,09,,,,,,org-hs,,\n" +
	"usr-x,,,true,x,,"

// deflatedLine is usersStart and then mib MiB of 'a' without a line end,
// as raw deflate: 1 MiB of 'a' deflates to a kilobyte, and the same
// blocks repeated make any multiple of it.
func deflatedLine(t *testing.T, mib int) []byte {
	t.Helper()
	var chunk bytes.Buffer
	fw, _ := flate.NewWriter(&chunk, flate.BestCompression)
	fw.Write(bytes.Repeat([]byte("a"), 1<<20))
	fw.Flush()
	var out bytes.Buffer
	head, _ := flate.NewWriter(&out, flate.NoCompression)
	head.Write([]byte(usersStart))
	head.Flush()
	for range mib {
		out.Write(chunk.Bytes())
	}
	out.Write([]byte{0x03, 0x00}) // the final block, empty
	return out.Bytes()
}

// TestImportRefusesBombs runs 'cairn import' on files built to exhaust
// memory: each is refused with the limit it passes, where, and nothing is
// imported; the command holds little memory doing it.
func TestImportRefusesBombs(t *testing.T) {
	db := interopDB(t)
	rng := rand.New(rand.NewPCG(3, 4))
	letters := make([]byte, 3<<20)
	for i := range letters {
		letters[i] = 'a' + byte(rng.IntN(26))
	}
	bigCASE := filepath.Join(t.TempDir(), "big.json")
	if err := os.WriteFile(bigCASE, append([]byte(`{"CFDocument":{"title":"`), bytes.Repeat([]byte("t"), limits.CASEPackageBytes)...), 0o644); err != nil {
		t.Fatal(err)
	}
	longStatement := filepath.Join(t.TempDir(), "long.json")
	if err := os.WriteFile(longStatement, []byte(`{"CFDocument":{"identifier":"d0000000-0000-4000-8000-000000000000","uri":"u","creator":"c","title":"t","lastChangeDateTime":"2024-01-01T00:00:00Z"},
"CFItems":[{"identifier":"a0000000-0000-4000-8000-000000000001","uri":"u","fullStatement":"`+strings.Repeat("s", 60<<10)+`","lastChangeDateTime":"2024-01-01T00:00:00Z"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		args []string
		want string // a line of standard error, as a pattern
	}{
		{"a 5 GiB line in a 5 MB zip", []string{"oneroster", rosterZip(t, deflatedLine(t, 5<<10), true, uint64(len(usersStart))+5<<30)},
			`^users\.csv: 5 GiB uncompressed: larger than the 512 MiB a file of a OneRoster package may be$`},
		{"a 100 MiB given name in a 100 KB zip", []string{"oneroster", rosterZip(t, deflatedLine(t, 100), true, uint64(len(usersStart))+100<<20)},
			`^users\.csv: expands from 10\d KiB to 100 MiB: more than the 100 times its compressed size a file of a zip may expand$`},
		{"a 3 MiB line", []string{"oneroster", rosterZip(t, append([]byte(usersStart), letters...), false, 0)},
			`^users\.csv:3:7: givenName: the line is longer than the 1 MiB a line may be$`},
		{"a given name of 201 characters", []string{"oneroster", badPackage(t, "users.csv", ",Benjamin,", ","+strings.Repeat("B", limits.Name+1)+",")},
			`^users\.csv:3:7: givenName: longer than the 200 characters a name may have$`},
		{"a CASE package past its size", []string{"case", bigCASE},
			`^.*big\.json: larger than the 32 MiB a CASE package may be$`},
		{"a statement of 61,440 characters", []string{"case", longStatement},
			`^.*long\.json:2:91: CFItems\[0\]\.fullStatement: item "a0000000-0000-4000-8000-000000000001": longer than the 10000 characters a statement or a title may have$`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			out, errOut, err := cairn(t, append([]string{"import", tt.args[0], "--db", db}, tt.args[1:]...)...)
			runtime.ReadMemStats(&after)
			if err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), "1 problem, nothing was imported") {
				t.Fatalf("error %v (exit %d), want one problem and nothing imported\nstdout:\n%s\nstderr:\n%s", err, exitCode(err), out, errOut)
			}
			if !regexp.MustCompile(`(?m)` + tt.want).MatchString(errOut) {
				t.Errorf("standard error has no line matching %q:\n%s", tt.want, errOut)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 256<<20 {
				t.Errorf("the command allocated %d MB, want under 256", alloc>>20)
			}
			st := openStore(t, db)
			if ps, _, err := st.People(context.Background(), 1, store.PersonFilter{}); err != nil || len(ps) != 0 {
				t.Errorf("after a refused import: %d people (%v), want none", len(ps), err)
			}
			if fws, err := st.Frameworks(context.Background(), 1); err != nil || len(fws) != 0 {
				t.Errorf("after a refused import: %d frameworks (%v), want none", len(fws), err)
			}
		})
	}
}
