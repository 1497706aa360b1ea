package casepkg

import (
	"bytes"
	"fmt"
	"testing"
)

// generatedPackage writes a CASE 1.1 package of n items shaped like a
// state's standards: 10 domains, 9 clusters in each, the rest standards
// spread over the clusters, each standard preceded by the one before it in
// its cluster.
func generatedPackage(n int) []byte {
	const t = "2024-03-01T09:30:00Z"
	id := func(kind byte, i int) string { return fmt.Sprintf("%c0000000-0000-4000-8000-%012d", kind, i) }
	var b bytes.Buffer
	doc := id('d', 0)
	fmt.Fprintf(&b, `{"CFDocument":{"identifier":%q,"uri":"https://case.example.org/ims/case/v1p1/CFDocuments/%s","caseVersion":"1.1","creator":"Generated","title":"Generated framework","lastChangeDateTime":%q},"CFItems":[`, doc, doc, t)
	type node struct{ id, parent, code string }
	var nodes []node
	domains, clusters := 10, 90
	for d := 0; d < domains; d++ {
		nodes = append(nodes, node{id('a', len(nodes)), doc, fmt.Sprintf("D%d", d+1)})
	}
	for c := 0; c < clusters; c++ {
		nodes = append(nodes, node{id('a', len(nodes)), nodes[c%domains].id, fmt.Sprintf("%s.C%d", nodes[c%domains].code, c/domains+1)})
	}
	for s := 0; len(nodes) < n; s++ {
		cl := nodes[domains+s%clusters]
		nodes = append(nodes, node{id('a', len(nodes)), cl.id, fmt.Sprintf("%s.%d", cl.code, s/clusters+1)})
	}
	for i, nd := range nodes {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "\n"+`{"identifier":%q,"uri":"https://case.example.org/ims/case/v1p1/CFItems/%s","fullStatement":"Statement of %s: students can do something specific and measurable.","humanCodingScheme":%q,"CFItemType":"Standard","educationLevel":["06","07"],"lastChangeDateTime":%q}`, nd.id, nd.id, nd.code, nd.code, t)
	}
	b.WriteString("],\"CFAssociations\":[")
	a := 0
	assoc := func(typ, o, d string, seq int) {
		if a > 0 {
			b.WriteByte(',')
		}
		seqJSON := ""
		if seq > 0 {
			seqJSON = fmt.Sprintf(`,"sequenceNumber":%d`, seq)
		}
		fmt.Fprintf(&b, "\n"+`{"identifier":%q,"associationType":%q,"uri":"https://case.example.org/ims/case/v1p1/CFAssociations/%s","originNodeURI":{"title":"o","identifier":%q,"uri":"u"},"destinationNodeURI":{"title":"d","identifier":%q,"uri":"u"},"lastChangeDateTime":%q%s}`, id('c', a), typ, id('c', a), o, d, t, seqJSON)
		a++
	}
	last := map[string]string{}
	for i, nd := range nodes {
		assoc("isChildOf", nd.id, nd.parent, i+1)
		if i >= domains+clusters {
			if prev, ok := last[nd.parent]; ok {
				assoc("precedes", prev, nd.id, 0)
			}
			last[nd.parent] = nd.id
		}
	}
	b.WriteString("]}\n")
	return b.Bytes()
}

// BenchmarkParse2000 parses and validates a generated 2,000-item package.
func BenchmarkParse2000(b *testing.B) {
	data := generatedPackage(2000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		p, err := Parse(bytes.NewReader(data), "generated.json")
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Framework.Standards) != 2000 {
			b.Fatalf("%d standards, want 2000", len(p.Framework.Standards))
		}
	}
}

// TestParse2000 parses the package BenchmarkParse2000 times: every item
// and every prerequisite of a 2,000-item framework comes through. How long
// it takes is the benchmark's to measure (docs/performance.md), not a
// test's to hold: a test on a busy machine must not fail for being slow.
func TestParse2000(t *testing.T) {
	p, err := Parse(bytes.NewReader(generatedPackage(2000)), "generated.json")
	if err != nil {
		t.Fatal(err)
	}
	if got := len(p.Framework.Standards); got != 2000 {
		t.Fatalf("%d standards, want 2000", got)
	}
	if got := len(p.Framework.Prerequisites); got != 2000-100-90 {
		t.Errorf("%d prerequisites, want %d", got, 2000-100-90)
	}
}
