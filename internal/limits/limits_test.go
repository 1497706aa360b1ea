package limits

import (
	"strings"
	"testing"
)

func TestTooLong(t *testing.T) {
	for _, tt := range []struct {
		s    string
		max  int
		want string
	}{
		{"", 3, ""},
		{"abc", 3, ""},
		{"abcd", 3, "longer than the 3 characters a name may have"},
		// Characters, not bytes: three é are six bytes.
		{"ééé", 3, ""},
		{"éééé", 3, "longer than the 3 characters a name may have"},
		{strings.Repeat("x", 100<<20), Name, "longer than the 200 characters a name may have"},
	} {
		if got := TooLong(tt.s, tt.max, "a name"); got != tt.want {
			t.Errorf("TooLong(%d bytes, %d) = %q, want %q", len(tt.s), tt.max, got, tt.want)
		}
	}
}

func TestBytes(t *testing.T) {
	for n, want := range map[int64]string{
		12:                 "12 bytes",
		101 << 10:          "101 KiB",
		ZipBytes:           "64 MiB",
		PackageBytes:       "1 GiB",
		5<<30 + 4096:       "5 GiB",
		1<<30 + 1<<29:      "1.5 GiB",
		CSVLineBytes:       "1 MiB",
		CASEPackageBytes:   "32 MiB",
		CSVFileBytes:       "512 MiB",
		UploadBytes - 1000: "65 MiB",
	} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestLimitsHold keeps the numbers consistent with each other: a row with
// its lists and identifiers (ASCII) and its names and texts (of 4-byte
// characters) at their limits fits in a CSV line, and an upload holds the
// largest zip.
func TestLimitsHold(t *testing.T) {
	if row := 4*List + 30*Identifier + 4*(6*Name+Title+Email+Text); row > CSVLineBytes {
		t.Errorf("a row at its limits is %d bytes, more than a line's %d", row, CSVLineBytes)
	}
	if UploadBytes <= ZipBytes || UploadBytes <= CASEPackageBytes {
		t.Errorf("an upload of %d bytes cannot hold a zip of %d or a package of %d", UploadBytes, ZipBytes, CASEPackageBytes)
	}
	if BatchBytes < EvidenceBatch*200 {
		t.Errorf("a batch body of %d bytes is too small for %d records", BatchBytes, EvidenceBatch)
	}
	if CartridgeImportBytes < ActivityFileBytes || CartridgePackageBytes < CartridgeBytes || CartridgeDescriptorBytes > CartridgeManifestBytes {
		t.Errorf("a cartridge's bounds disagree: an import of %d bytes, a file of %d; a package of %d, a zip of %d; a link's file of %d, a manifest of %d",
			CartridgeImportBytes, ActivityFileBytes, CartridgePackageBytes, CartridgeBytes, CartridgeDescriptorBytes, CartridgeManifestBytes)
	}
}
