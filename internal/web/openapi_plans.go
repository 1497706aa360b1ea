package web

// planOperations describe the routes of class pathways, students' plans
// and recommendations (api_plans.go) for the OpenAPI document.
var planOperations = map[string]operation{
	"GET /api/v1/classes/{id}/pathway": {Tag: "plans", Summary: "A class's pathway for its term",
		Description: "The teacher's ordered targets for the term, each with the date by which students should be introduced to it (introduceBy). Empty until a teacher sets one.",
		Response:    pathwayJSON{}},
	"PUT /api/v1/classes/{id}/pathway": {Tag: "plans", Summary: "Set a class's pathway, and apply it to every student's plan",
		Description: "Every target must be a standard of the class's course, once; a standard outside it is refused, named. With apply, the pathway is applied to the plan of every student of the class: its targets in its order with its dates, targets a teacher added for a student kept after the one they followed, and targets the pathway no longer holds kept first while the student has not mastered them. Each plan change is audited.",
		Body:        pathwayInput{}, Response: pathwayJSON{}},
	"GET /api/v1/classes/{id}/recommendations": {Tag: "plans", Summary: "Who is ready for what today",
		Description: "For each student of the class whose plan the caller may see: the open targets of their plan whose prerequisites are all mastered (ready), and up to three recommended next targets, best first, each with why as data (reason) and as a sentence in the request's language (text).",
		Response:    studentRecommendationsJSON{}, List: true},
	"GET /api/v1/students/{id}/plan": {Tag: "plans", Summary: "A student's plans, one per class",
		Description: "Each target with where the student stands: ready (every prerequisite mastered), mastered, and the prerequisites still missing. A student with no plan of their own in a class has the class pathway (stored false).",
		Response:    planJSON{}, List: true},
	"PUT /api/v1/students/{id}/plan": {Tag: "plans", Summary: "Replace a student's plan in a class",
		Description: "Targets in order. A standard outside the class's course is refused, named, unless it is a standard of another course that a teacher adds (origin teacher) to go beyond this one: it is then marked beyond. A target without an origin keeps the one it had, or is the teacher's when new. The change is audited.",
		Body:        planInput{}, Response: planJSON{}},
	"GET /api/v1/students/{id}/recommendations": {Tag: "plans", Summary: "What a student is ready for and should take on next",
		Description: "Over the student's plans: the ready open targets, and up to three recommendations per class, ranked by readiness (a target not ready is served by its nearest ready prerequisite), then, among the first three in plan order, nearly mastered (the model's probability of mastery at least one half) and interests, then plan order.",
		Response:    studentRecommendationsJSON{}},
}

func init() {
	for pattern, op := range planOperations {
		operations[pattern] = op
	}
}
