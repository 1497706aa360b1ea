package oneroster

import (
	"archive/zip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"
)

// WriteOptions say how to write a package.
type WriteOptions struct {
	// Now is the modification time of the files in the zip. Required, so
	// that the same roster always gives the same bytes.
	Now time.Time
	// SourceSystemName and SourceSystemCode go in the manifest; the
	// system name defaults to "cairn".
	SourceSystemName, SourceSystemCode string
}

// Write writes r as a OneRoster 1.2 CSV package in bulk mode, as a zip:
// manifest.csv and one file per entity that has records. A 1.1 roster is
// converted first (To12). Records marked tobedeleted are left out: a bulk
// file lists what exists. Read gives back the same records.
func Write(w io.Writer, r *Roster, opt WriteOptions) error {
	if opt.Now.IsZero() {
		return errors.New("oneroster.Write: WriteOptions.Now is required")
	}
	if r.Version == Version11 {
		r = r.To12()
	}
	zw := zip.NewWriter(w)
	present := map[string]bool{}
	write := func(e Entity, n int, row func(i int) cells) error {
		if n == 0 {
			return nil
		}
		present[e.File()] = true
		return writeCSV(zw, e.File(), opt.Now, columns[Version12][e], n, row)
	}
	// The manifest comes first in the zip, as people expect, so the data
	// files are written to know which exist.
	var body []func() error
	add := func(e Entity, n int, row func(i int) cells) {
		if n > 0 {
			present[e.File()] = true
		}
		body = append(body, func() error { return write(e, n, row) })
	}
	add(Orgs, len(r.Orgs), func(i int) cells { return &r.Orgs[i] })
	add(AcademicSessions, len(r.AcademicSessions), func(i int) cells { return &r.AcademicSessions[i] })
	add(Courses, len(r.Courses), func(i int) cells { return &r.Courses[i] })
	add(Classes, len(r.Classes), func(i int) cells { return &r.Classes[i] })
	add(Users, len(r.Users), func(i int) cells { return &r.Users[i] })
	add(UserProfiles, len(r.UserProfiles), func(i int) cells { return &r.UserProfiles[i] })
	add(Roles, len(r.Roles), func(i int) cells { return &r.Roles[i] })
	add(Demographics, len(r.Demographics), func(i int) cells { return &r.Demographics[i] })
	add(Enrollments, len(r.Enrollments), func(i int) cells { return &r.Enrollments[i] })
	if err := writeManifest(zw, opt, present); err != nil {
		return err
	}
	for _, f := range body {
		if err := f(); err != nil {
			return err
		}
	}
	return zw.Close()
}

func writeManifest(zw *zip.Writer, opt WriteOptions, present map[string]bool) error {
	f, err := zw.CreateHeader(&zip.FileHeader{Name: "manifest.csv", Method: zip.Deflate, Modified: opt.Now})
	if err != nil {
		return err
	}
	cw := csv.NewWriter(f)
	cw.UseCRLF = true
	rows := [][]string{{"propertyName", "value"}, {"manifest.version", "1.0"}, {"oneroster.version", Version12}}
	for _, file := range manifestFiles12 {
		mode := Absent
		if present[file] {
			mode = Bulk
		}
		rows = append(rows, []string{"file." + file[:len(file)-len(".csv")], string(mode)})
	}
	name := opt.SourceSystemName
	if name == "" {
		name = "cairn"
	}
	rows = append(rows, []string{"source.systemName", name}, []string{"source.systemCode", opt.SourceSystemCode})
	cw.WriteAll(rows)
	return cw.Error()
}

// writeCSV writes one file: the specification's columns, then the
// metadata columns the records use, sorted. Every row is active, and dated
// with its dateLastModified, or now when it has none.
func writeCSV(zw *zip.Writer, name string, now time.Time, cols []string, n int, row func(i int) cells) error {
	var live []int
	metaSet := map[string]bool{}
	for i := 0; i < n; i++ {
		rec := row(i).record()
		if rec.Status == ToBeDeleted {
			continue
		}
		live = append(live, i)
		for k := range rec.Metadata {
			metaSet[k] = true
		}
	}
	meta := sortedKeys(metaSet)
	f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: now})
	if err != nil {
		return err
	}
	cw := csv.NewWriter(f)
	cw.UseCRLF = true
	header := append(slices.Clip(cols), meta...)
	if err := cw.Write(header); err != nil {
		return err
	}
	out := make([]string, len(header))
	for _, i := range live {
		c := row(i)
		for j, col := range cols {
			switch col {
			case "status":
				out[j] = string(Active)
			case "dateLastModified":
				// A record without one is new or changed: it changed by
				// the time of the export at the latest.
				when := c.record().DateLastModified
				if when.IsZero() {
					when = now
				}
				out[j] = when.UTC().Format(dateTimeLayout)
			default:
				v, ok := c.cell(col)
				if !ok {
					return fmt.Errorf("oneroster.Write: %s has no column %s", name, col)
				}
				out[j] = v
			}
		}
		md := c.record().Metadata
		for j, k := range meta {
			out[len(cols)+j] = md[k]
		}
		if err := cw.Write(out); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// To12 returns r as OneRoster 1.2: each 1.1 user's role becomes rows of
// roles.csv, one per organisation of the user (the first primary), and the
// first organisation becomes the primary one. A 1.1 administrator becomes a
// districtAdministrator in a district and a siteAdministrator elsewhere.
// Records are shared with r, not copied.
func (r *Roster) To12() *Roster {
	if r.Version == Version12 {
		return r
	}
	out := *r
	out.Version = Version12
	out.Manifest.OneRosterVersion = Version12
	out.Manifest.Files = map[string]Mode{}
	for f, m := range r.Manifest.Files {
		out.Manifest.Files[f] = m
	}
	orgType := map[string]string{}
	for _, o := range r.Orgs {
		orgType[o.SourcedID] = o.Type
	}
	out.Users = make([]User, len(r.Users))
	out.Roles = nil
	for i, u := range r.Users {
		role, orgs := u.Role, u.OrgSourcedIDs
		u.Role, u.OrgSourcedIDs = "", nil
		if len(orgs) > 0 {
			u.PrimaryOrgSourcedID = orgs[0]
		}
		out.Users[i] = u
		if u.Status != Active || role == "" {
			continue
		}
		for j, org := range orgs {
			name := role
			if role == "administrator" {
				name = "siteAdministrator"
				if t := orgType[org]; t == "district" || t == "state" || t == "national" {
					name = "districtAdministrator"
				}
			}
			typ := "secondary"
			if j == 0 {
				typ = "primary"
			}
			out.Roles = append(out.Roles, Role{Record: Record{SourcedID: u.SourcedID + "-" + name + "-" + org, Status: Active}, UserSourcedID: u.SourcedID, RoleType: typ, Role: name, OrgSourcedID: org})
		}
	}
	if len(out.Roles) > 0 {
		out.Manifest.Files[Roles.File()] = out.Manifest.Files[Users.File()]
	}
	return &out
}
