package cartridge

import (
	"net/url"
	"path"
	"strings"

	"github.com/cairn-learning/cairn/internal/pathways"
)

// A cartridge does not say how an activity teaches, so the importer
// guesses the modality from what the activity opens, and the teacher
// corrects it where the guess is wrong. The guess keeps to what the
// address or the file plainly shows:
//
//   - a link to a video site (YouTube, Vimeo, TED...) or to a video file
//     is a video;
//   - a link to an interactive practice site (Desmos, GeoGebra, PhET,
//     IXL, Quizizz...) is practice;
//   - a link to slides is direct instruction (a lesson someone gives);
//   - any other link, a document or a web page, is a reading;
//   - an LTI link is practice: LTI tools in a course are mostly
//     interactive exercises, quizzes and simulations that a student
//     works in (unless it launches from a video site);
//   - a file by its type: a video is a video, a recording (audio) or
//     slides are direct instruction, a spreadsheet is practice, anything
//     else (a page, a PDF, a document, a picture) is a reading;
//   - an assessment is practice, marked as an assessment piece, so that a
//     score on it is evidence; an assignment is a project, also scored; a
//     discussion is inquiry (students ask and answer together).

// videoHosts are sites whose pages are videos, by the end of their host.
var videoHosts = []string{
	"youtube.com", "youtu.be", "youtube-nocookie.com", "vimeo.com", "ted.com", "edpuzzle.com",
	"loom.com", "wistia.com", "dailymotion.com", "screencast.com", "flip.com",
}

// practiceHosts are sites of interactive practice and simulations.
var practiceHosts = []string{
	"desmos.com", "geogebra.org", "phet.colorado.edu", "ixl.com", "quizizz.com", "kahoot.it",
	"deltamath.com", "mathigon.org", "brilliant.org", "quizlet.com",
}

func hostIs(host string, list []string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, h := range list {
		if host == h || strings.HasSuffix(host, "."+h) {
			return true
		}
	}
	return false
}

// modality guesses how the entry teaches, as the comment above says.
func modality(e Entry) pathways.Modality {
	switch e.Kind {
	case KindAssessment:
		return pathways.Practice
	case KindAssignment:
		return pathways.Project
	case KindDiscussion:
		return pathways.Inquiry
	case KindFile:
		return fileModality(e.MediaType)
	}
	u, err := url.Parse(e.URL)
	if err != nil {
		return pathways.Reading
	}
	switch {
	case hostIs(u.Hostname(), videoHosts):
		return pathways.Video
	case e.Kind == KindLTI:
		return pathways.Practice
	case hostIs(u.Hostname(), practiceHosts):
		return pathways.Practice
	}
	if t, ok := mediaTypes[strings.ToLower(path.Ext(u.Path))]; ok {
		return fileModality(t)
	}
	return pathways.Reading
}

// fileModality is the modality of a file of media type t.
func fileModality(t string) pathways.Modality {
	switch {
	case strings.HasPrefix(t, "video/"):
		return pathways.Video
	case strings.HasPrefix(t, "audio/"), strings.Contains(t, "presentation"), strings.Contains(t, "powerpoint"), strings.Contains(t, "keynote"):
		return pathways.DirectInstruction
	case strings.Contains(t, "spreadsheet"), strings.Contains(t, "excel"):
		return pathways.Practice
	}
	return pathways.Reading
}
