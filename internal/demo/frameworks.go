package demo

import (
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/cairn-learning/cairn/internal/standards"
)

// data holds the frameworks; data/README.md gives their sources and
// licences.
//
//go:embed data/*.csv
var data embed.FS

// The SourcedIDs of the demo's frameworks.
const (
	frameworkELA          = "cairn-demo:ccss-ela-6-8"
	frameworkMath         = "cairn-demo:ccss-math-6-8"
	frameworkDispositions = "cairn-demo:4cs"
	frameworkProfessional = "cairn-demo:personalized-learning"
)

// csvTable is a CSV file as rows addressed by column name.
type csvTable struct {
	file string
	cols map[string]int
	rows [][]string
}

func readTable(file string) (csvTable, error) {
	f, err := data.Open("data/" + file)
	if err != nil {
		return csvTable{}, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		return csvTable{}, fmt.Errorf("%s: header: %w", file, err)
	}
	t := csvTable{file: file, cols: map[string]int{}}
	for i, h := range head {
		t.cols[strings.TrimPrefix(h, "\ufeff")] = i
	}
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return csvTable{}, fmt.Errorf("%s: %w", file, err)
		}
		t.rows = append(t.rows, row)
	}
	return t, nil
}

func (t csvTable) get(row []string, col string) string {
	i, ok := t.cols[col]
	if !ok || i >= len(row) {
		return ""
	}
	return strings.TrimSpace(row[i])
}

// catalog is every framework and standard of the demo, with the short
// names assessments are titled by.
type catalog struct {
	frameworks []Framework
	standards  []Standard
	prereqs    []Prerequisite
	short      map[string]string // SourcedID -> short topic name
	byCode     map[string]string // code -> SourcedID
}

// loadCatalog reads the embedded frameworks. The result does not depend
// on the seed: every demo district teaches the same standards.
func loadCatalog(creator string) (*catalog, error) {
	c := &catalog{short: map[string]string{}, byCode: map[string]string{}}
	if err := c.loadELA(); err != nil {
		return nil, err
	}
	specs := []struct {
		file string
		fw   Framework
		id   func(code string) string
		lvls func(code string) []string
	}{
		{"ccss-math-6-8.csv", Framework{standards.Framework{
			SourcedID: frameworkMath, Title: "Common Core State Standards for Mathematics, Grades 6-8 (excerpt)",
			Kind: standards.Academic, Creator: "NGA Center and CCSSO", Version: "2010", Subject: "Mathematics", Language: "en"}},
			func(code string) string { return "CCSS.Math.Content." + code },
			func(code string) []string { return []string{"0" + code[:1]} }},
		{"dispositions-4cs.csv", Framework{standards.Framework{
			SourcedID: frameworkDispositions, Title: "The 4Cs: Critical Thinking, Communication, Collaboration, Creativity",
			Kind: standards.Disposition, Creator: creator, Version: "1.0", Subject: "Dispositions", Language: "en"}},
			func(code string) string { return "cairn-demo:" + code },
			func(string) []string { return []string{"06", "07", "08"} }},
		{"professional-pl.csv", Framework{standards.Framework{
			SourcedID: frameworkProfessional, Title: "Personalized Learning Competencies for Teachers",
			Kind: standards.Professional, Creator: creator, Version: "1.0", Subject: "Professional learning", Language: "en"}},
			func(code string) string { return "cairn-demo:" + code },
			func(string) []string { return nil }},
	}
	for _, s := range specs {
		if err := c.loadByCode(s.file, s.fw, s.id, s.lvls); err != nil {
			return nil, err
		}
	}
	if err := c.loadPrerequisites(); err != nil {
		return nil, err
	}
	return c, nil
}

// elaTypes are the item types of the ELA file by depth in smartLevel, for
// the rows whose CFItemType is blank.
var elaTypes = []string{"Grade Level", "Strand", "Cluster", "Standard", "Component"}

// elaShort titles ELA assessments by strand, as the file has no short
// statements.
var elaShort = map[string]string{
	"RL": "reading literature", "RI": "reading informational text", "W": "writing",
	"SL": "speaking and listening", "L": "language",
}

func (c *catalog) loadELA() error {
	t, err := readTable("ccss-ela-6-8.csv")
	if err != nil {
		return err
	}
	type item struct {
		std   Standard
		level []int
	}
	items := make([]item, 0, len(t.rows))
	byLevel := map[string]string{}
	for i, row := range t.rows {
		sl := t.get(row, "smartLevel")
		var level []int
		for _, p := range strings.Split(sl, ".") {
			n, err := strconv.Atoi(p)
			if err != nil {
				return fmt.Errorf("%s row %d: smartLevel %q is not dotted numbers", t.file, i+2, sl)
			}
			level = append(level, n)
		}
		id := t.get(row, "identifier")
		if id == "" {
			return fmt.Errorf("%s row %d: identifier is empty", t.file, i+2)
		}
		typ := t.get(row, "CFItemType")
		if typ == "" && len(level) <= len(elaTypes) {
			typ = elaTypes[len(level)-1]
		}
		var lvls []string
		for _, l := range strings.Split(t.get(row, "educationLevel"), ",") {
			if l = strings.TrimSpace(l); l != "" {
				lvls = append(lvls, l)
			}
		}
		s := Standard{Standard: standards.Standard{
			SourcedID: id, Code: t.get(row, "humanCodingScheme"), Statement: t.get(row, "fullStatement"),
			Type: typ, EducationLevels: lvls, Position: level[len(level)-1],
		}, Framework: frameworkELA}
		byLevel[sl] = id
		items = append(items, item{s, level})
	}
	// Depth-first in smartLevel order puts each parent before its children.
	slices.SortStableFunc(items, func(a, b item) int { return slices.Compare(a.level, b.level) })
	for i := range items {
		lv := items[i].level
		if len(lv) > 1 {
			parent := make([]string, len(lv)-1)
			for j, n := range lv[:len(lv)-1] {
				parent[j] = strconv.Itoa(n)
			}
			p, ok := byLevel[strings.Join(parent, ".")]
			if !ok {
				return fmt.Errorf("%s: item %s has no parent in the file", t.file, items[i].std.SourcedID)
			}
			items[i].std.Parent = p
		}
		s := items[i].std
		c.standards = append(c.standards, s)
		if s.Code != "" {
			c.byCode[s.Code] = s.SourcedID
			strand, _, _ := strings.Cut(s.Code, ".")
			c.short[s.SourcedID] = elaShort[strand] + " " + s.Code
		}
	}
	c.frameworks = append(c.frameworks, Framework{standards.Framework{
		SourcedID: frameworkELA, Title: "Common Core State Standards for English Language Arts, Grades 6-8",
		Kind: standards.Academic, Creator: "NGA Center and CCSSO", Version: "2010", Subject: "English Language Arts", Language: "en"}})
	return nil
}

// codeParent is the parent of a code in the dotted codes of the math,
// disposition and professional files: 6.RP.A.3a -> 6.RP.A.3 -> 6.RP.A ->
// 6.RP -> 6.
func codeParent(code string) string {
	if n := len(code); n > 1 && code[n-1] >= 'a' && code[n-1] <= 'z' && code[n-2] >= '0' && code[n-2] <= '9' {
		return code[:n-1]
	}
	if i := strings.LastIndexByte(code, '.'); i > 0 {
		return code[:i]
	}
	return ""
}

func (c *catalog) loadByCode(file string, fw Framework, id func(string) string, levels func(string) []string) error {
	t, err := readTable(file)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	position := map[string]int{}
	for i, row := range t.rows {
		code, typ, stmt := t.get(row, "humanCodingScheme"), t.get(row, "CFItemType"), t.get(row, "fullStatement")
		if code == "" || stmt == "" {
			return fmt.Errorf("%s row %d: humanCodingScheme and fullStatement are required", file, i+2)
		}
		if seen[code] {
			return fmt.Errorf("%s row %d: code %s appears twice", file, i+2, code)
		}
		parent := codeParent(code)
		if parent != "" && !seen[parent] {
			if fw.SourcedID == frameworkMath {
				return fmt.Errorf("%s row %d: the parent %s of %s must come before it", file, i+2, parent, code)
			}
			parent = "" // a top-level category such as 4C.CT
		}
		seen[code] = true
		position[parent]++
		s := Standard{Standard: standards.Standard{
			SourcedID: id(code), Code: code, Statement: stmt, Type: typ,
			EducationLevels: levels(code), Position: position[parent],
		}, Framework: fw.SourcedID}
		if typ == "Grade Level" {
			s.Code = "" // a grade is a heading, not a standard with a code
		}
		if parent != "" {
			s.Parent = id(parent)
		}
		c.standards = append(c.standards, s)
		c.byCode[code] = s.SourcedID
		if short := t.get(row, "abbreviatedStatement"); short != "" {
			c.short[s.SourcedID] = short
		}
	}
	c.frameworks = append(c.frameworks, fw)
	return nil
}

func (c *catalog) loadPrerequisites() error {
	t, err := readTable("prerequisites.csv")
	if err != nil {
		return err
	}
	add := func(pre, std string, line int) error {
		p, ok1 := c.byCode[pre]
		s, ok2 := c.byCode[std]
		if !ok1 || !ok2 {
			return fmt.Errorf("prerequisites.csv line %d: %s -> %s names a standard the frameworks lack", line, pre, std)
		}
		c.prereqs = append(c.prereqs, Prerequisite{Standard: s, Prerequisite: p})
		return nil
	}
	for i, row := range t.rows {
		pre, std := t.get(row, "prerequisite"), t.get(row, "standard")
		if !strings.Contains(pre, "{g}") {
			if err := add(pre, std, i+2); err != nil {
				return err
			}
			continue
		}
		for _, g := range []string{"6", "7", "8"} {
			if err := add(strings.ReplaceAll(pre, "{g}", g), strings.ReplaceAll(std, "{g}", g), i+2); err != nil {
				return err
			}
		}
	}
	// Each grade-6 or grade-7 ELA standard comes before its counterpart in
	// the next grade: RL.6.1 before RL.7.1.
	for _, s := range c.standards {
		if s.Framework != frameworkELA || s.Type != "Standard" {
			continue
		}
		parts := strings.Split(s.Code, ".")
		if len(parts) != 3 || (parts[1] != "6" && parts[1] != "7") {
			continue
		}
		g, _ := strconv.Atoi(parts[1])
		next := parts[0] + "." + strconv.Itoa(g+1) + "." + parts[2]
		if n, ok := c.byCode[next]; ok {
			c.prereqs = append(c.prereqs, Prerequisite{Standard: n, Prerequisite: s.SourcedID})
		}
	}
	return nil
}
