package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"

	"github.com/cairn-learning/cairn/internal/interop/badinput"
	"github.com/cairn-learning/cairn/internal/interop/cartridge"
	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/store"
)

// A teacher imports a Common Cartridge (a course exported from a learning
// management system) on the library page: the upload is read and planned
// as `cairn import cartridge` plans it (one playlist per standard the
// activities are aligned to), the page shows what would be added, and
// "Apply" writes every playlist in one transaction. The upload waits
// between the two in the server's uploads, as the administrators'
// imports do, for the person and session that sent it.

// importCartridge is the kind of a waiting upload that is a cartridge.
const importCartridge = "cartridge"

// maxCartridgeUpload is the largest cartridge upload: the largest
// cartridge and the form around it.
const maxCartridgeUpload = limits.CartridgeBytes + 1<<20

// cartridgeImportPage shows what importing a cartridge would add to the
// teacher's playlists, or why it is refused.
type cartridgeImportPage struct {
	pageBase
	File      string
	Playlists []importPlaylistRow
	Unaligned []string
	Warnings  []string
	// Problems say why the cartridge was refused.
	Problems []string
	// Token is the upload's, for the "Apply" form.
	Token string
	// Already counts the playlists the teacher has from an earlier import.
	Already int
	// Gone says an "Apply" came for an upload that has expired or was
	// applied already.
	Gone bool
}

type importPlaylistRow struct {
	Title, Standard, StdLang string
	Activities               []activityRow
}

// planCartridge reads the waiting upload and plans it for the actor, with
// the playlists they already have for its standards.
func (s *Server) planCartridge(ctx context.Context, r *http.Request, up *importUpload) (*cartridge.Import, error) {
	a := actorOf(r)
	c, err := cartridge.Open(up.path)
	if err != nil {
		return nil, err
	}
	defer c.Close() // Plan reads the files of the zip
	c.Name = up.name
	cat, err := s.store.Catalog(ctx, a.DistrictID)
	if err != nil {
		return nil, err
	}
	opt := cartridge.PlanOptions{DistrictID: a.DistrictID, OwnerID: a.PersonID, SchoolID: homeSchool(a), Resolve: cartridge.CatalogResolver(cat)}
	plan, err := cartridge.Plan(c, opt)
	if err != nil {
		return nil, err
	}
	seen := map[int64]bool{}
	for _, p := range plan.Playlists {
		if seen[p.StandardID] {
			continue
		}
		seen[p.StandardID] = true
		mine, err := s.store.SearchPlaylists(ctx, a.DistrictID, store.PlaylistQuery{OwnerID: a.PersonID, StandardID: p.StandardID, Limit: 200})
		if err != nil {
			return nil, err
		}
		opt.Existing = append(opt.Existing, mine...)
	}
	if len(opt.Existing) > 0 {
		return cartridge.Plan(c, opt)
	}
	return plan, nil
}

// cartridgeRefused shows why a cartridge cannot be imported: the file,
// line and reason of each problem. Other errors are the server's.
func (s *Server) cartridgeRefused(w http.ResponseWriter, r *http.Request, data *cartridgeImportPage, err error) error {
	var be *badinput.Error
	if !errors.As(err, &be) {
		return err
	}
	for _, p := range be.Problems {
		data.Problems = append(data.Problems, p.String())
	}
	if be.More > 0 {
		data.Problems = append(data.Problems, s.printerOf(r).T("playlist.import.more", be.More))
	}
	return s.renderPage(w, r, http.StatusUnprocessableEntity, "playlist_import", data)
}

// checkCartridge reads an uploaded cartridge and shows what importing it
// would add.
func (s *Server) checkCartridge(w http.ResponseWriter, r *http.Request) error {
	if err := mayMakePlaylists(r); err != nil {
		return err
	}
	pr := s.printerOf(r)
	data := &cartridgeImportPage{pageBase: s.newBase(w, r, pr.T("playlist.import.title"))}
	if err := r.ParseMultipartForm(uploadMemory); err != nil {
		var me *http.MaxBytesError
		if errors.As(err, &me) {
			return err
		}
	}
	file, header, err := r.FormFile("file")
	if err != nil {
		data.Problems = []string{pr.T("playlist.import.no_file")}
		return s.renderPage(w, r, http.StatusUnprocessableEntity, "playlist_import", data)
	}
	defer file.Close()
	up := &importUpload{kind: importCartridge, name: filepath.Base(header.Filename)}
	up.districtID, up.personID, up.sessionID = uploadOwner(r)
	data.File = up.name
	if up.path, err = s.saveUpload(file); err != nil {
		return err
	}
	plan, err := s.planCartridge(r.Context(), r, up)
	if err != nil {
		os.Remove(up.path)
		return s.cartridgeRefused(w, r, data, err)
	}
	s.fillImportPage(r, data, plan)
	if len(plan.Playlists) > 0 {
		if err := s.imports.put(up, s.wall()); err != nil {
			os.Remove(up.path)
			return err
		}
		data.Token = up.token
	} else {
		os.Remove(up.path) // nothing to apply
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.renderPage(w, r, http.StatusOK, "playlist_import", data)
}

func (s *Server) fillImportPage(r *http.Request, data *cartridgeImportPage, plan *cartridge.Import) {
	pr := s.printerOf(r)
	cat, err := s.store.Catalog(r.Context(), actorOf(r).DistrictID)
	for _, p := range plan.Playlists {
		row := importPlaylistRow{Title: p.Title}
		if err == nil {
			row.Standard, row.StdLang = standardLabel(cat, p.StandardID)
		}
		for _, a := range p.Activities {
			row.Activities = append(row.Activities, activityRowOf(pr, a))
		}
		data.Playlists = append(data.Playlists, row)
	}
	for _, e := range plan.Unaligned {
		data.Unaligned = append(data.Unaligned, e.Title)
	}
	data.Warnings = plan.Warnings
	data.Already = plan.AlreadyImported
}

// applyCartridge imports a cartridge whose plan the teacher has read:
// every playlist, or none.
func (s *Server) applyCartridge(w http.ResponseWriter, r *http.Request) error {
	if err := mayMakePlaylists(r); err != nil {
		return err
	}
	pr := s.printerOf(r)
	data := &cartridgeImportPage{pageBase: s.newBase(w, r, pr.T("playlist.import.title"))}
	up, ok := s.imports.take(r, r.PostFormValue("upload"), s.wall())
	if !ok || up.kind != importCartridge {
		if ok {
			os.Remove(up.path)
		}
		data.Gone = true
		return s.renderPage(w, r, http.StatusConflict, "playlist_import", data)
	}
	defer os.Remove(up.path)
	data.File = up.name
	plan, err := s.planCartridge(r.Context(), r, up)
	if err != nil {
		return s.cartridgeRefused(w, r, data, err)
	}
	if err := s.store.CreatePlaylists(r.Context(), plan.Playlists); err != nil {
		return err
	}
	a := actorOf(r)
	s.log.Info("cartridge imported", "request_id", requestIDFrom(r.Context()), "by", a.PersonID, "file", up.name,
		"playlists", len(plan.Playlists), "activities", plan.Activities)
	return redirect(w, r, fmt.Sprintf("/playlists?imported=%d", len(plan.Playlists)))
}
