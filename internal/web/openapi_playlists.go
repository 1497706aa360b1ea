package web

import (
	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/pathways"
)

// The playlists' operations, added to operations.
func init() {
	for pattern, op := range map[string]operation{
		"GET /api/v1/playlists": {Tag: "playlists", Summary: "The playlist library: your playlists and those shared to your schools",
			Description: "Your own first, then by most recently changed, with their activities; at most 50. Words match a playlist's title or description or an activity's title, all of them, in any case.",
			Query: []queryParam{
				idQuery("standard", "Only playlists for this standard.", false),
				{"q", "Words to look for (at most 200 characters; the first 8 words count).", map[string]any{"type": "string", "maxLength": pathways.QueryChars}, false},
			},
			Response: pathways.Playlist{}, List: true},
		"POST /api/v1/playlists": {Tag: "playlists", Summary: "Make a playlist for a standard",
			Description: "The playlist is yours, in your first school; activities are added in order. A link must be an http or https address. Files are uploaded on the playlist's page (at most 10 MiB each).",
			Body:        playlistInput{}, Status: 201, Response: pathways.Playlist{}, Location: true},
		"GET /api/v1/playlists/{id}": {Tag: "playlists", Summary: "A playlist with its activities",
			Description: "Yours, one shared to your school, or for a student one made by a teacher of their classes.", Response: pathways.Playlist{}},
		"POST /api/v1/playlists/{id}/copy": {Tag: "playlists", Summary: "Copy a playlist to make your own",
			Description: "Activities and their files are copied; the copy is not shared. Without a title it keeps the original's.", Body: copyInput{}, Status: 201, Response: pathways.Playlist{}, Location: true},
		"POST /api/v1/playlists/{id}/share": {Tag: "playlists", Summary: "Share your playlist to its school's library, or take it out",
			Body: shareInput{}, Response: pathways.Playlist{}},
		"POST /api/v1/playlists/{id}/activities": {Tag: "playlists", Summary: "Add an activity at the end of your playlist",
			Body: activityInput{}, Status: 201, Response: pathways.Activity{}, Location: true},
		"POST /api/v1/activities/{id}/scores": {Tag: "playlists", Summary: "Score a student's work on an assessment piece",
			Description: "Records evidence on the playlist's standard, titled with the activity (formative unless kind says otherwise), as POST /api/v1/evidence does: the student's mastery is updated and the change audited.",
			Body:        activityScoreInput{}, Status: 201, Response: evidence.Evidence{}, Location: true},
		"GET /api/v1/students/{id}/choices": {Tag: "playlists", Summary: "What a student chose for each target, the most recent first",
			Response: pathways.Choice{}, List: true},
		"PUT /api/v1/students/{id}/choices/{standardId}": {Tag: "playlists", Summary: "Keep what a student chose for a target",
			Description: "The activities must be in the playlists a teacher of the student's classes made for the standard, and the way to show mastery one that those playlists allow. It replaces what was chosen before.",
			Body:        choiceInput{}, Response: pathways.Choice{}},
	} {
		operations[pattern] = op
	}
}
