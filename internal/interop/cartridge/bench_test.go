package cartridge

import (
	"fmt"
	"strings"
	"testing"
)

// bigManifest is a thin cartridge at the activities' limit: 5,000 inline
// links in 50 folders, each aligned to two standards.
func bigManifest() string {
	var items, res strings.Builder
	for f := range 50 {
		fmt.Fprintf(&items, `<item identifier="f%d"><title>Week %d</title>`, f, f+1)
		for i := range 100 {
			n := f*100 + i
			fmt.Fprintf(&items, "\n<item identifier=\"i%d\" identifierref=\"r%d\"><title>Activity %d of the week</title></item>", n, n, i+1)
			fmt.Fprintf(&res, `
<resource identifier="r%d" type="imswl_xmlv1p3"><metadata><csm:curriculumStandardsMetadataSet><csm:curriculumStandardsMetadata providerId="CASE"><csm:setOfGUIDs region="US" version="2010">
<csm:labelledGUID><csm:label>3.NF.A.%d</csm:label><csm:GUID>a1000000-0000-4000-8000-%012d</csm:GUID></csm:labelledGUID>
<csm:labelledGUID><csm:label>3.NF.A.%d</csm:label><csm:GUID>a1000000-0000-4000-8000-%012d</csm:GUID></csm:labelledGUID>
</csm:setOfGUIDs></csm:curriculumStandardsMetadata></csm:curriculumStandardsMetadataSet></metadata>
<webLink><title>Link %d</title><url href="https://example.org/activities/%d"/></webLink></resource>`, n, i, i, i+1, i+1, n, n)
		}
		items.WriteString("</item>\n")
	}
	return strings.Replace(manifest13(items.String(), res.String()), `<manifest identifier="m"`, `<manifest identifier="m" xmlns:csm="http://www.imsglobal.org/xsd/imsccv1p3/imscsmd_v1p0"`, 1)
}

func BenchmarkReadManifest(b *testing.B) {
	m := bigManifest()
	b.SetBytes(int64(len(m)))
	b.ReportAllocs()
	for b.Loop() {
		c, err := ReadManifest(strings.NewReader(m), "big.xml")
		if err != nil {
			b.Fatal(err)
		}
		if len(c.Entries) != 5000 {
			b.Fatalf("%d entries", len(c.Entries))
		}
	}
}
