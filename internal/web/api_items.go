package web

import (
	"net/http"

	"github.com/cairn-learning/cairn/internal/store"
)

// itemView is an item as the API shows it: a reusable question on one
// standard, with what the district's model has learnt of its difficulty.
type itemView struct {
	ID         int64  `json:"id"`
	StandardID int64  `json:"standardId"`
	Key        string `json:"key"`
	Title      string `json:"title,omitempty"`
	// Difficulty is the item's rating in the ability model (higher is
	// harder), as last fitted; Fitted says whether the fit saw the item.
	Difficulty float64 `json:"difficulty"`
	Fitted     bool    `json:"fitted"`
	// Responses and Right count the responses recorded on it that count,
	// and how many reached mastery.
	Responses int `json:"responses"`
	Right     int `json:"right"`
}

func itemViewOf(it store.Item) itemView {
	return itemView{ID: it.ID, StandardID: it.StandardID, Key: it.Key, Title: it.Title, Difficulty: it.Weights.Rating,
		Fitted: it.Weights.Responses > 0, Responses: it.Responses, Right: it.Right}
}

// listStandardItems lists the items of a standard, by key.
func (s *Server) listStandardItems(w http.ResponseWriter, r *http.Request) error {
	st, err := s.pathStandard(r, "id")
	if err != nil {
		return err
	}
	items, err := s.store.StandardItems(r.Context(), s.districtOf(r), st.ID)
	if err != nil {
		return err
	}
	out := make([]itemView, len(items))
	for i, it := range items {
		out[i] = itemViewOf(it)
	}
	writeJSON(w, http.StatusOK, newList(out, 0))
	return nil
}
