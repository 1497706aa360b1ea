package demo

import (
	"testing"

	"github.com/cairn-learning/cairn/internal/standards"
)

func TestStandardLinks(t *testing.T) {
	for code, want := range map[string]string{
		"6.RP.A.1":  "https://www.thecorestandards.org/Math/Content/6/RP/A/1/",
		"7.EE.B.4a": "https://www.thecorestandards.org/Math/Content/7/EE/B/4/a/",
		"RL.6.1":    "",
	} {
		if got, _ := standardLinks(code); got != want {
			t.Errorf("standardLinks(%s) = %q, want %q", code, got, want)
		}
	}
}

// TestDemoPlaylistsAreValid checks every playlist the demo writes, for a
// mathematics standard and for one of another kind.
func TestDemoPlaylistsAreValid(t *testing.T) {
	school := int64(3)
	sts := []standards.Standard{{ID: 1, Code: "6.RP.A.1"}, {ID: 2, Code: "6.RP.A.2"}, {ID: 3, Code: "SL.6.1"}}
	ps := demoPlaylists(1, 10, 11, &school, sts)
	if len(ps) != 5 {
		t.Fatalf("%d playlists, want 5", len(ps))
	}
	modalities := map[string]bool{}
	for i := range ps {
		if err := ps[i].Validate(); err != nil {
			t.Errorf("playlist %d (%s): %v", i, ps[i].Title, err)
		}
		for _, a := range ps[i].Activities {
			modalities[string(a.Modality)] = true
		}
	}
	if len(modalities) < 8 {
		t.Errorf("only %d modalities: %v", len(modalities), modalities)
	}
}
