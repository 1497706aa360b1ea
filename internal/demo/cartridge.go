package demo

import (
	"bytes"
	_ "embed"
	"fmt"

	"github.com/cairn-learning/cairn/internal/interop/cartridge"
)

// ratiosCartridge is the featured teacher's ratios unit as their learning
// management system exported it: a thin Common Cartridge of links aligned
// to the math standards (data/README.md).
//
//go:embed data/ratios-thin-cc13.xml
var ratiosCartridge []byte

// cartridge imports the featured teacher's ratios unit into their
// playlists, as `cairn import cartridge` does, so that the demo shows
// playlists a teacher brought rather than built.
func (l *loader) cartridge() error {
	c, err := cartridge.ReadManifest(bytes.NewReader(ratiosCartridge), "ratios-thin-cc13.xml")
	if err != nil {
		return err
	}
	id, err := l.id("featured", l.ds.Featured.Teacher)
	if err != nil {
		return err
	}
	teacher, err := l.st.Person(l.ctx, l.district, id)
	if err != nil {
		return err
	}
	var school *int64
	if len(teacher.SchoolIDs) == 1 {
		school = &teacher.SchoolIDs[0]
	}
	cat, err := l.st.Catalog(l.ctx, l.district)
	if err != nil {
		return err
	}
	plan, err := cartridge.Plan(c, cartridge.PlanOptions{DistrictID: l.district, OwnerID: teacher.ID, SchoolID: school,
		Resolve: cartridge.CatalogResolver(cat)})
	if err != nil {
		return err
	}
	if len(plan.Warnings) > 0 {
		return fmt.Errorf("the demo's cartridge: %s", plan.Warnings[0])
	}
	return l.st.CreatePlaylists(l.ctx, plan.Playlists)
}
