package oneroster

import "strings"

// Entity names a kind of record by its file's base name ("users").
type Entity string

// The entities this package reads, in the order it reads them: each file
// refers only to files read before it, except for references within one
// file (an org's parent, a user's agents), which are checked after it.
const (
	Orgs             Entity = "orgs"
	AcademicSessions Entity = "academicSessions"
	Courses          Entity = "courses"
	Classes          Entity = "classes"
	Users            Entity = "users"
	UserProfiles     Entity = "userProfiles"
	Roles            Entity = "roles"
	Demographics     Entity = "demographics"
	Enrollments      Entity = "enrollments"
)

// manifestEntity is manifest.csv, which has the same two columns in every
// version.
const manifestEntity Entity = "manifest"

// AllEntities lists the entities in reading order.
var AllEntities = []Entity{Orgs, AcademicSessions, Courses, Classes, Users, UserProfiles, Roles, Demographics, Enrollments}

// File is the entity's file name ("users.csv").
func (e Entity) File() string { return string(e) + ".csv" }

// columns gives each file's columns in the order of the 1EdTech OneRoster
// CSV specification (OneRoster 1.1 CSV Tables; OneRoster 1.2 CSV Binding),
// by version. A file missing from a version's map does not exist in it.
var columns = map[string]map[Entity][]string{
	"": {manifestEntity: {"propertyName", "value"}},
	Version11: {
		Orgs:             {"sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"},
		AcademicSessions: {"sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"},
		Courses:          {"sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title", "courseCode", "grades", "orgSourcedId", "subjects", "subjectCodes"},
		Classes:          {"sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode", "classType", "location", "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods"},
		Users:            {"sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username", "userIds", "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password"},
		Demographics:     demographicColumns,
		Enrollments:      {"sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate", "endDate"},
	},
	Version12: {
		Orgs:             {"sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"},
		AcademicSessions: {"sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"},
		Courses:          {"sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title", "courseCode", "grades", "orgSourcedId", "subjects", "subjectCodes"},
		Classes:          {"sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode", "classType", "location", "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods"},
		Users:            {"sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds", "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password", "userMasterIdentifier", "preferredGivenName", "preferredMiddleName", "preferredFamilyName", "primaryOrgSourcedId", "pronouns"},
		UserProfiles:     {"sourcedId", "status", "dateLastModified", "userSourcedId", "profileType", "vendorId", "applicationId", "description", "credentialType", "username", "password"},
		Roles:            {"sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role", "beginDate", "endDate", "orgSourcedId", "userProfileSourcedId"},
		Demographics:     demographicColumns,
		Enrollments:      {"sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate", "endDate"},
	},
}

var demographicColumns = []string{"sourcedId", "status", "dateLastModified", "birthDate", "sex", "americanIndianOrAlaskaNative", "asian", "blackOrAfricanAmerican", "nativeHawaiianOrOtherPacificIslander", "white", "demographicRaceTwoOrMoreRaces", "hispanicOrLatinoEthnicity", "countryOfBirthCode", "stateOfBirthAbbreviation", "cityOfBirth", "publicSchoolResidenceStatus"}

// tolerated are columns some exports carry that the specification does
// not list for the version; they are read past without complaint.
var tolerated = map[string]map[Entity]map[string]bool{
	// Drafts of 1.2 had resourceSourcedIds on users; 1.2 moved them to
	// userResources.csv.
	Version12: {Users: {"resourceSourcedIds": true}},
}

// required lists the columns whose value an active row must have, by
// version. The header must have these columns.
var required = map[string]map[Entity][]string{
	"": {manifestEntity: {"propertyName", "value"}},
	Version11: {
		Orgs:             {"sourcedId", "name", "type"},
		AcademicSessions: {"sourcedId", "title", "type", "startDate", "endDate", "schoolYear"},
		Courses:          {"sourcedId", "title", "orgSourcedId"},
		Classes:          {"sourcedId", "title", "courseSourcedId", "classType", "schoolSourcedId", "termSourcedIds"},
		Users:            {"sourcedId", "enabledUser", "orgSourcedIds", "role", "username", "givenName", "familyName"},
		Demographics:     {"sourcedId"},
		Enrollments:      {"sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"},
	},
	Version12: {
		Orgs:             {"sourcedId", "name", "type"},
		AcademicSessions: {"sourcedId", "title", "type", "startDate", "endDate", "schoolYear"},
		Courses:          {"sourcedId", "title", "orgSourcedId"},
		Classes:          {"sourcedId", "title", "courseSourcedId", "classType", "schoolSourcedId", "termSourcedIds"},
		Users:            {"sourcedId", "enabledUser", "givenName", "familyName"},
		UserProfiles:     {"sourcedId", "userSourcedId", "profileType", "vendorId", "credentialType", "username"},
		Roles:            {"sourcedId", "userSourcedId", "roleType", "role", "orgSourcedId"},
		Demographics:     {"sourcedId"},
		Enrollments:      {"sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"},
	},
}

// vocabulary is a closed list of values, matched without regard to case
// (exports write "Student" and "TRUE") and kept in the specification's
// spelling. ext says whether extension values ("ext:...") are allowed.
type vocabulary struct {
	values []string
	ext    bool
	canon  map[string]string
}

func vocab(ext bool, values ...string) *vocabulary {
	v := &vocabulary{values: values, ext: ext, canon: map[string]string{}}
	for _, s := range values {
		v.canon[strings.ToLower(s)] = s
	}
	return v
}

// match returns the value in its proper spelling, or false.
func (v *vocabulary) match(s string) (string, bool) {
	if c, ok := v.canon[strings.ToLower(s)]; ok {
		return c, true
	}
	if v.ext && strings.HasPrefix(s, "ext:") && len(s) > 4 {
		return s, true
	}
	return "", false
}

// String lists the values for messages.
func (v *vocabulary) String() string {
	s := strings.Join(v.values, ", ")
	if v.ext {
		s += " or an ext: extension"
	}
	return s
}

var (
	orgTypes        = vocab(true, "department", "school", "district", "local", "state", "national")
	sessionTypes    = vocab(true, "gradingPeriod", "semester", "schoolYear", "term")
	classTypes      = vocab(true, "homeroom", "scheduled")
	userRoles11     = vocab(false, "administrator", "aide", "guardian", "parent", "proctor", "relative", "student", "teacher")
	userRoles12     = vocab(true, "aide", "counselor", "districtAdministrator", "guardian", "parent", "principal", "proctor", "relative", "siteAdministrator", "student", "systemAdministrator", "teacher")
	roleTypes       = vocab(false, "primary", "secondary")
	enrollRoles11   = vocab(false, "administrator", "proctor", "student", "teacher")
	enrollRoles12   = vocab(true, "administrator", "proctor", "student", "teacher")
	sexes11         = vocab(false, "male", "female")
	sexes12         = vocab(true, "male", "female", "unspecified", "other")
	statuses        = vocab(false, string(Active), string(ToBeDeleted))
	booleans        = vocab(false, "true", "false")
	modes           = vocab(false, string(Bulk), string(Delta), string(Absent))
	knownFiles      = map[string]bool{}
	gradebookFiles  = []string{"categories.csv", "lineItems.csv", "results.csv", "scoreScales.csv", "lineItemLearningObjectiveIds.csv", "lineItemScoreScales.csv", "resultLearningObjectiveIds.csv", "resultScoreScales.csv"}
	resourceFiles   = []string{"resources.csv", "classResources.csv", "courseResources.csv", "userResources.csv"}
	manifestFiles12 = []string{"academicSessions.csv", "categories.csv", "classes.csv", "classResources.csv", "courses.csv", "courseResources.csv", "demographics.csv", "enrollments.csv", "lineItemLearningObjectiveIds.csv", "lineItems.csv", "lineItemScoreScales.csv", "orgs.csv", "resources.csv", "resultLearningObjectiveIds.csv", "results.csv", "resultScoreScales.csv", "roles.csv", "scoreScales.csv", "userProfiles.csv", "userResources.csv", "users.csv"}
)

func init() {
	for _, f := range manifestFiles12 {
		knownFiles[f] = true
	}
}

// manifestProperties are the properties of manifest.csv other than the
// file.* ones.
var manifestProperties = []string{"manifest.version", "oneroster.version", "source.systemName", "source.systemCode"}

// didYouMean suggests the manifest property a misspelled one was meant to
// be (" (did you mean file.demographics?)"), or "".
func didYouMean(name string) string {
	best, bestDist := "", 3
	try := func(c string) {
		if d := editDistance(strings.ToLower(name), strings.ToLower(c)); d < bestDist && d > 0 {
			best, bestDist = c, d
		}
	}
	for _, p := range manifestProperties {
		try(p)
	}
	for _, f := range manifestFiles12 {
		try("file." + strings.TrimSuffix(f, ".csv"))
	}
	if best == "" {
		return ""
	}
	return " (did you mean " + best + "?)"
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
