package web

// The live updates' operation, added to operations.
var liveOperations = map[string]operation{
	"GET /events": {Tag: "pages", Summary: "Live updates of what a page shows",
		Description: "A stream of server-sent events (text/event-stream) that tells a page when what it shows changed, on this server or any other sharing the database. " +
			"Give exactly one of class (a class's heatmap), student (a student's page) or alerts=mine (a teacher's alerts); each is decided as the page is, " +
			"and a class or student the caller may not see is answered like one that does not exist. The stream starts with a `ready` event and a `retry:` delay, " +
			"sends `change` events whose data names the kinds of change ({\"kinds\":[\"mastery\"]}: mastery, alerts, supports, groups, or missed when changes may have been lost), " +
			"a comment line every 25 seconds, and ends after about 30 minutes so that the client reconnects and is decided again. " +
			"The events carry nothing of the records: read the page or the API for what changed. " +
			"Open streams are bounded per server (503, naming the limit) and per person (429).",
		Query: []queryParam{
			idQuery("class", "The class whose heatmap the page shows.", false),
			idQuery("student", "The student whose page the page shows.", false),
			{"alerts", "mine: the alerts of the students in the caller's classes (teachers).", map[string]any{"type": "string", "enum": []string{"mine"}}, false},
		},
		Response: "", ContentType: "text/event-stream", Errors: []int{404, 429, 503}},
}

func init() {
	for k, v := range liveOperations {
		operations[k] = v
	}
}
