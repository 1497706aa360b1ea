package store

// StudentViewersQuery is the query of StudentViewers, for the test that
// reads its plan.
const StudentViewersQuery = studentViewersQuery
