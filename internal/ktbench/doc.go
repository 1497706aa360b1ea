// Package ktbench measures cairn's knowledge-tracing models on response
// data in the layout of the public research datasets (one response per
// line: user_id, item_id, timestamp, correct, skill_id), the way a live
// system would meet it: every model is fitted on training students, then
// predicts each response of the test students from those students' earlier
// responses only, updating online after each one.
//
// The models themselves live in package mastery; this package reads the
// files, turns responses into what the models need, runs them and scores
// the predictions. It is what 'cairn bench kt' runs. RunThroughStore runs
// the logistic model the way the product does instead: in a real store,
// each test response predicted by reading the store and then recorded as
// evidence ('cairn bench kt --through-store').
package ktbench
