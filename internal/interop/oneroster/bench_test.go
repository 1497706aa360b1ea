package oneroster

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// writeLargeRoster writes a OneRoster 1.2 bulk package shaped like a large
// district: 40 schools, 100,000 users (92,000 students, 4,000 teachers,
// 4,000 guardians), 4,000 classes and 400,000 enrollments (each student in
// four classes, each class with its teacher).
func writeLargeRoster(dir string, users, enrollments int) error {
	create := func(name string, f func(w *bufio.Writer)) error {
		fh, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		w := bufio.NewWriterSize(fh, 1<<20)
		f(w)
		if err := w.Flush(); err != nil {
			return err
		}
		return fh.Close()
	}
	const schools = 40
	teachers := users / 25
	guardians := users / 25
	students := users - teachers - guardians
	classes := teachers
	files := []string{"orgs", "academicSessions", "courses", "classes", "users", "roles", "enrollments"}
	steps := []func(w *bufio.Writer){
		func(w *bufio.Writer) {
			fmt.Fprintln(w, "propertyName,value\nmanifest.version,1.0\noneroster.version,1.2")
			for _, f := range files {
				fmt.Fprintf(w, "file.%s,bulk\n", f)
			}
		},
		func(w *bufio.Writer) {
			fmt.Fprintln(w, "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId")
			fmt.Fprintln(w, "d,,,Large District,district,LD,")
			for s := 0; s < schools; s++ {
				fmt.Fprintf(w, "s%d,,,School %d,school,S%d,d\n", s, s, s)
			}
		},
		func(w *bufio.Writer) {
			fmt.Fprintln(w, "sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear")
			fmt.Fprintln(w, "y,,,2024-2025,schoolYear,2024-08-19,2025-06-06,,2025")
		},
		func(w *bufio.Writer) {
			fmt.Fprintln(w, "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,subjects,subjectCodes")
			for c := 0; c < 100; c++ {
				fmt.Fprintf(w, "c%d,,,y,Course %d,C%d,\"09,10\",d,Mathematics,\n", c, c, c)
			}
		},
		func(w *bufio.Writer) {
			fmt.Fprintln(w, "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods")
			for c := 0; c < classes; c++ {
				fmt.Fprintf(w, "k%d,,,Class %d,09,c%d,K%d,scheduled,Room %d,s%d,y,Mathematics,,%d\n", c, c, c%100, c, c%300, c%schools, c%8+1)
			}
		},
		func(w *bufio.Writer) {
			fmt.Fprintln(w, "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,preferredGivenName,preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns")
			for u := 0; u < users; u++ {
				agents, grade := "", ""
				switch {
				case u < students:
					agents, grade = fmt.Sprintf("g%d", u%guardians), "09"
				case u >= students+teachers:
					agents = fmt.Sprintf("u%d", u-students-teachers)
				}
				id := fmt.Sprintf("u%d", u)
				if u >= students+teachers {
					id = fmt.Sprintf("g%d", u-students-teachers)
				}
				fmt.Fprintf(w, "%s,,,true,user%d,{SIS:%d},Given%d,Family%d,,%d,user%d@example.org,,,%s,%s,,,,,,s%d,\n", id, u, u, u, u, u, u, agents, grade, u%schools)
			}
		},
		func(w *bufio.Writer) {
			fmt.Fprintln(w, "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId")
			for u := 0; u < users; u++ {
				id, role := fmt.Sprintf("u%d", u), "student"
				switch {
				case u >= students+teachers:
					id, role = fmt.Sprintf("g%d", u-students-teachers), "parent"
				case u >= students:
					role = "teacher"
				}
				fmt.Fprintf(w, "r%d,,,%s,primary,%s,,,s%d,\n", u, id, role, u%schools)
			}
		},
		func(w *bufio.Writer) {
			fmt.Fprintln(w, "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate")
			for e := 0; e < enrollments; e++ {
				if e < classes {
					fmt.Fprintf(w, "e%d,,,k%d,s%d,u%d,teacher,true,2024-08-19,2025-06-06\n", e, e, e%schools, students+e)
					continue
				}
				s := (e - classes) % students
				k := ((e-classes)/students*997 + s) % classes
				fmt.Fprintf(w, "e%d,,,k%d,s%d,u%d,student,false,2024-08-19,2025-06-06\n", e, k, k%schools, s)
			}
		},
	}
	for i, name := range append([]string{"manifest"}, files...) {
		if err := create(name+".csv", steps[i]); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkReadLarge reads a generated roster of 100,000 users and 400,000
// enrollments, and reports the heap the roster holds when read.
func BenchmarkReadLarge(b *testing.B) {
	largeDir := b.TempDir()
	if err := writeLargeRoster(largeDir, 100000, 400000); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var r *Roster
	for b.Loop() {
		var err error
		r, err = Read(os.DirFS(largeDir), ReadOptions{})
		if err != nil {
			b.Fatal(err)
		}
	}
	if len(r.Users) != 100000 || len(r.Enrollments) != 400000 {
		b.Fatalf("%d users, %d enrollments", len(r.Users), len(r.Enrollments))
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "MB-held")
	runtime.KeepAlive(r)
}

// TestReadGeneratedRoster reads a smaller generated roster of the same
// shape, so that the generator and the large benchmark stay correct.
func TestReadGeneratedRoster(t *testing.T) {
	dir := t.TempDir()
	if err := writeLargeRoster(dir, 2500, 10000); err != nil {
		t.Fatal(err)
	}
	r, err := Read(os.DirFS(dir), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d := r.ToDomain()
	if len(d.People) != 2500 || len(d.Enrollments) != 10000 || len(d.GuardianLinks) != 2300 {
		t.Errorf("%d people, %d enrollments, %d guardian links; want 2500, 10000, 2300", len(d.People), len(d.Enrollments), len(d.GuardianLinks))
	}
}
