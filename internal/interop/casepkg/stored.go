package casepkg

import (
	"fmt"
	"time"

	"github.com/cairn-learning/cairn/internal/importplan"
	"github.com/cairn-learning/cairn/internal/standards"
)

// FromStored gathers a framework as the store holds it into the shape
// Export writes (see FromStandards): the standards that are not retired,
// in the store's hierarchy order, with the URIs they were imported with,
// the prerequisites between them, the framework's crosswalks, the records
// as published and when cairn last changed the framework.
func FromStored(sf importplan.StoredFramework) (*Framework, error) {
	all := make([]standards.Standard, len(sf.Standards))
	for i, s := range sf.Standards {
		all[i] = s.Standard
	}
	out, err := FromStandards(sf.Framework, all, sf.Prerequisites, sf.Crosswalks)
	if err != nil {
		return nil, err
	}
	out.URI, out.Document, out.Definitions, out.Changed = sf.URI, sf.Document, sf.Definitions, sf.Changed
	out.Associations = sf.Associations
	// FromStandards keeps the order of all, leaving retired ones out.
	i := 0
	for _, s := range sf.Standards {
		if !s.Retired {
			out.Standards[i].URI = s.URI
			out.Standards[i].Item = s.Item
			i++
		}
	}
	return out, nil
}

// ExportStored writes a framework as the store holds it as a CASE 1.1
// CFPackage (FromStored, then Export): what was imported and has not
// changed is written as published, and what changed in cairn carries the
// time of the framework's last change, so that an unchanged framework
// exports the same on every day.
func ExportStored(sf importplan.StoredFramework, opt ExportOptions) (*CFPackage, error) {
	fw, err := FromStored(sf)
	if err != nil {
		return nil, err
	}
	return Export(fw, opt)
}

// ItemIdentifiers returns the CASE identifier ExportStored gives each
// standard of sf that is not retired, by the standard's id in the store.
// The identifiers do not depend on the export's options.
func ItemIdentifiers(sf importplan.StoredFramework) (map[int64]string, error) {
	pkg, err := ExportStored(sf, ExportOptions{Now: time.Unix(0, 0).UTC(), Creator: "cairn"})
	if err != nil {
		return nil, fmt.Errorf("framework %d: %w", sf.Framework.ID, err)
	}
	// Export writes one item per standard that is not retired, in order.
	ids := make(map[int64]string, len(pkg.CFItems))
	i := 0
	for _, s := range sf.Standards {
		if !s.Retired {
			ids[s.ID] = pkg.CFItems[i].Identifier
			i++
		}
	}
	return ids, nil
}
