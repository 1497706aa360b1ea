package demo

// heritage is a group of families whose names come from one naming
// tradition. It decides the names, the OneRoster race and ethnicity flags
// and the language some of the families prefer at home. The weights give a
// student body like that of many US public school districts (National
// Center for Education Statistics, public school enrollment by race and
// ethnicity, rounded); given and family names are common ones, drawn at
// random, so no combination is meant to be a real person.
type heritage struct {
	name     string
	weight   float64
	races    []string // OneRoster race flags
	hispanic bool
	// language is the language a share (languageShare) of the families
	// prefer at home; the others prefer English.
	language      string
	languageShare float64
	female, male  []string
	family        []string
}

// The OneRoster race flags.
const (
	raceAmericanIndian = "americanIndianOrAlaskaNative"
	raceAsian          = "asian"
	raceBlack          = "blackOrAfricanAmerican"
	racePacific        = "nativeHawaiianOrOtherPacificIslander"
	raceWhite          = "white"
	raceTwoOrMore      = "demographicRaceTwoOrMoreRaces"
)

var heritages = []heritage{
	{
		name: "anglo", weight: 0.40, races: []string{raceWhite},
		female: []string{"Emma", "Olivia", "Ava", "Charlotte", "Amelia", "Harper", "Evelyn", "Abigail", "Emily", "Ella",
			"Madison", "Avery", "Scarlett", "Grace", "Chloe", "Lily", "Hannah", "Nora", "Riley", "Zoey",
			"Addison", "Claire", "Audrey", "Brooklyn", "Paisley", "Stella", "Violet", "Hazel", "Lucy", "Natalie",
			"Katherine", "Molly", "Sarah", "Rachel", "Megan", "Jennifer", "Laura", "Heather", "Amanda", "Erin"},
		male: []string{"Liam", "Noah", "Oliver", "William", "James", "Benjamin", "Lucas", "Henry", "Alexander", "Owen",
			"Jack", "Wyatt", "Carter", "Luke", "Grayson", "Levi", "Isaac", "Hudson", "Lincoln", "Ryan",
			"Nathan", "Caleb", "Dylan", "Connor", "Hunter", "Eli", "Gavin", "Tyler", "Cole", "Austin",
			"Matthew", "Daniel", "Andrew", "Joshua", "Christopher", "Brian", "Kevin", "Jason", "Mark", "Scott"},
		family: []string{"Smith", "Johnson", "Miller", "Davis", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Martin",
			"Thompson", "White", "Clark", "Lewis", "Walker", "Hall", "Allen", "Young", "King", "Wright",
			"Hill", "Green", "Adams", "Baker", "Nelson", "Carter", "Mitchell", "Roberts", "Turner", "Phillips",
			"Campbell", "Parker", "Evans", "Edwards", "Collins", "Stewart", "Morris", "Murphy", "Cook", "Rogers",
			"Peterson", "Cooper", "Reed", "Bailey", "Kelly", "Howard", "Ward", "Cox", "Richardson", "Wood",
			"Brooks", "Bennett", "Gray", "Hughes", "Price", "Sanders", "Myers", "Long", "Ross", "Foster",
			"Olson", "Schmidt", "Larson", "Hansen", "Novak", "Kowalski", "Becker", "Schneider", "Lindqvist", "O'Brien",
			"McCarthy", "Sullivan", "Fitzgerald", "Russo", "Romano", "Marino", "Weber", "Fischer", "Jensen", "Berg"},
	},
	{
		name: "arab", weight: 0.015, races: []string{raceWhite}, language: "ar", languageShare: 0.5,
		female: []string{"Layla", "Mariam", "Noor", "Yasmin", "Amira", "Huda", "Rania", "Salma", "Lina", "Dalia"},
		male:   []string{"Omar", "Yusuf", "Khalid", "Karim", "Samir", "Tariq", "Ziad", "Adnan", "Rami", "Hassan"},
		family: []string{"Haddad", "Khalil", "Mansour", "Nasser", "Saleh", "Darwish", "Aziz", "Hamdan", "Farah", "Issa"},
	},
	{
		name: "hispanic", weight: 0.28, races: []string{raceWhite}, hispanic: true, language: "es", languageShare: 0.45,
		female: []string{"Sofía", "Isabella", "Camila", "Valentina", "Mía", "Lucía", "Valeria", "Ximena", "Daniela", "Gabriela",
			"María", "Ana", "Natalia", "Renata", "Victoria", "Mariana", "Paola", "Andrea", "Fernanda", "Guadalupe",
			"Jimena", "Alejandra", "Rosa", "Carmen", "Elena", "Adriana", "Leticia", "Verónica", "Claudia", "Patricia"},
		male: []string{"Mateo", "Santiago", "Sebastián", "Diego", "Emiliano", "Leonardo", "Matías", "Nicolás", "Daniel", "Alejandro",
			"José", "Luis", "Carlos", "Miguel", "Ángel", "Jesús", "Adrián", "Javier", "Gabriel", "Iker",
			"Julián", "Rafael", "Eduardo", "Fernando", "Jorge", "Ricardo", "Manuel", "Héctor", "Raúl", "Óscar"},
		family: []string{"García", "Rodríguez", "Martínez", "Hernández", "López", "González", "Pérez", "Sánchez", "Ramírez", "Torres",
			"Flores", "Rivera", "Gómez", "Díaz", "Reyes", "Morales", "Cruz", "Ortiz", "Gutiérrez", "Chávez",
			"Ramos", "Vargas", "Castillo", "Jiménez", "Moreno", "Romero", "Herrera", "Medina", "Aguilar", "Mendoza",
			"Vásquez", "Castro", "Ruiz", "Delgado", "Salazar", "Guerrero", "Contreras", "Estrada", "Soto", "Navarro"},
	},
	{
		name: "black", weight: 0.125, races: []string{raceBlack},
		female: []string{"Aaliyah", "Imani", "Jasmine", "Nia", "Zuri", "Kiara", "Destiny", "Ebony", "Aniyah", "Maya",
			"Jada", "Tiana", "Brianna", "Alicia", "Keisha", "Danielle", "Monique", "Tamara", "Serena", "Naomi"},
		male: []string{"Jamal", "Malik", "Darius", "Andre", "Terrence", "Isaiah", "Elijah", "Jalen", "Marcus", "Xavier",
			"Jordan", "Cameron", "Dominic", "Trevon", "Kendrick", "Jerome", "Reginald", "Derrick", "Cedric", "Desmond"},
		family: []string{"Washington", "Jackson", "Robinson", "Harris", "Williams", "Jones", "Brown", "Coleman", "Jenkins", "Bryant",
			"Freeman", "Banks", "Simmons", "Gaines", "Dorsey", "Mosley", "Pryor", "Whitfield", "Ellison", "Booker"},
	},
	{
		name: "somali", weight: 0.015, races: []string{raceBlack}, language: "so", languageShare: 0.5,
		female: []string{"Hodan", "Ayan", "Fadumo", "Sahra", "Hibaq", "Ifrah", "Nasra", "Ubah", "Idil", "Muna"},
		male:   []string{"Abdi", "Mohamed", "Ahmed", "Abdirahman", "Bashir", "Hamza", "Liban", "Mahad", "Nuur", "Warsame"},
		family: []string{"Ali", "Hassan", "Farah", "Abdullahi", "Warsame", "Osman", "Jama", "Egal", "Duale", "Hersi"},
	},
	{
		name: "vietnamese", weight: 0.02, races: []string{raceAsian}, language: "vi", languageShare: 0.45,
		female: []string{"Linh", "Mai", "Thao", "Ngoc", "Anh", "Trang", "Huong", "Lan", "Vy", "Thu"},
		male:   []string{"Minh", "Khoa", "Bao", "Duc", "Huy", "Long", "Nam", "Quang", "Tuan", "Phuc"},
		family: []string{"Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu", "Dang", "Bui", "Do", "Ngo"},
	},
	{
		name: "asian", weight: 0.04, races: []string{raceAsian},
		female: []string{"Mei", "Priya", "Ananya", "Ji-woo", "Hana", "Aiko", "Isha", "Lin", "Angela", "Grace",
			"Divya", "Seo-yeon", "Yuna", "Kavya", "Joy", "Tala", "Riya", "Xinyi", "Min-seo", "Lakshmi"},
		male: []string{"Wei", "Arjun", "Rohan", "Min-jun", "Kenji", "Aarav", "Ethan", "Ryan", "Jun", "Vikram",
			"Hiroshi", "Dae-hyun", "Sanjay", "Marco", "Paolo", "Kai", "Jian", "Nikhil", "Hao", "Rafael"},
		family: []string{"Chen", "Wang", "Li", "Zhang", "Liu", "Patel", "Shah", "Singh", "Kumar", "Reddy",
			"Kim", "Park", "Lee", "Choi", "Tanaka", "Sato", "Santos", "Reyes", "Dela Cruz", "Bautista"},
	},
	{
		name: "hmong", weight: 0.01, races: []string{raceAsian}, language: "hmn", languageShare: 0.4,
		female: []string{"Mai", "Pa", "Yer", "Nou", "Bao", "Kia", "Der", "Chia"},
		male:   []string{"Tou", "Pao", "Xeng", "Fue", "Kou", "Neng", "Chue", "Vang"},
		family: []string{"Vang", "Xiong", "Yang", "Lee", "Thao", "Her", "Moua", "Lor", "Vue", "Chang"},
	},
	{
		name: "native", weight: 0.01, races: []string{raceAmericanIndian},
		female: []string{"Winona", "Aiyana", "Kimi", "Talia", "Nova", "Dakota", "Sierra", "Cheyenne"},
		male:   []string{"Ahanu", "Kohana", "Elan", "Tokala", "Hunter", "Dakota", "Bodhi", "Cody"},
		family: []string{"Begay", "Yazzie", "Tsosie", "Benally", "Redcloud", "Lightfoot", "Running Bear", "Whitehorse", "Nez", "Attakai"},
	},
	{
		name: "pacific", weight: 0.005, races: []string{racePacific},
		female: []string{"Leilani", "Malia", "Kalani", "Moana", "Lanakila", "Sina"},
		male:   []string{"Keoni", "Kai", "Makoa", "Sione", "Tavita", "Ikaika"},
		family: []string{"Kealoha", "Fonoti", "Tuilagi", "Fifita", "Kahale", "Mahoe"},
	},
	{
		name: "mixed", weight: 0.04, races: []string{raceWhite, raceBlack, raceTwoOrMore},
		female: []string{"Zoe", "Skylar", "Aria", "Jade", "Sienna", "Layla", "Quinn", "Maya", "Ivy", "Eden"},
		male:   []string{"Jayden", "Micah", "Adrian", "Julian", "Miles", "Roman", "Ezra", "Jude", "Kai", "Theo"},
		family: []string{"Bell", "Hayes", "Fleming", "Palmer", "Gordon", "Grant", "Holloway", "Mercer", "Rhodes", "Sutton"},
	},
}

// schoolNames name the district's middle schools, in order; a district
// with more schools than names numbers them.
var schoolNames = []struct{ name, code string }{
	{"Riverbend Middle School", "RB"},
	{"Maple Ridge Middle School", "MR"},
	{"Cottonwood Middle School", "CW"},
	{"Larkspur Middle School", "LS"},
	{"Quarry Hill Middle School", "QH"},
	{"Willow Bend Middle School", "WB"},
	{"Prairie View Middle School", "PV"},
	{"Granite Falls Middle School", "GF"},
}

// The district every demo describes. example.org is reserved for
// documentation, so no address in the demo can reach anyone.
const (
	districtName   = "Aspen Hollow School District"
	districtDomain = "aspenhollow.example.org"
)
