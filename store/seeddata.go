package store

// Word lists for generated demo leads. E-mail domains end in .example (reserved).

var firstNames = []string{
	"Aaliyah", "Adam", "Aisha", "Alejandro", "Alice", "Amara", "Amelia", "Andrei", "Anna", "Arjun",
	"Ava", "Beatriz", "Ben", "Bianca", "Carlos", "Carmen", "Charlotte", "Chen", "Chloe", "Daniel",
	"Dana", "David", "Diego", "Elena", "Elif", "Emma", "Ethan", "Fatima", "Felix", "Freya",
	"Gabriel", "Grace", "Hana", "Hannah", "Hugo", "Ibrahim", "Ines", "Isaac", "Isabella", "Ivan",
	"Jack", "Jacob", "James", "Jana", "Javier", "Jin", "John", "Jonas", "Julia", "Kai",
	"Karim", "Katarzyna", "Kenji", "Laila", "Lars", "Laura", "Leah", "Leo", "Liam", "Lina",
	"Lucas", "Lucia", "Luis", "Maja", "Marco", "Maria", "Mateo", "Maya", "Mei", "Mia",
	"Mohammed", "Nadia", "Nina", "Noah", "Nora", "Olivia", "Omar", "Oscar", "Priya", "Rafael",
	"Ravi", "Rosa", "Ruth", "Sam", "Sara", "Sebastian", "Sofia", "Sophie", "Tariq", "Theo",
	"Thomas", "Valentina", "Victor", "Wei", "William", "Yara", "Yusuf", "Zara", "Zoe", "Zofia",
}

var lastNames = []string{
	"Abbott", "Adeyemi", "Alvarez", "Andersen", "Bauer", "Becker", "Bennett", "Brooks", "Campbell", "Chen",
	"Costa", "Cruz", "Dubois", "Edwards", "Eriksson", "Evans", "Fernandes", "Fischer", "Foster", "Garcia",
	"Gonzalez", "Gupta", "Hansen", "Harris", "Hoffmann", "Hughes", "Ito", "Jansen", "Johnson", "Kaur",
	"Khan", "Kim", "Kowalski", "Kumar", "Larsen", "Lee", "Lopez", "Martin", "Meyer", "Moreau",
	"Morales", "Murphy", "Nakamura", "Nguyen", "Novak", "Okafor", "Olsen", "Ortiz", "Park", "Patel",
	"Pereira", "Petrov", "Quinn", "Ramirez", "Reyes", "Richter", "Rossi", "Russo", "Sato", "Schmidt",
	"Schneider", "Silva", "Singh", "Smith", "Sousa", "Suzuki", "Tanaka", "Taylor", "Thompson", "Torres",
	"Tran", "Turner", "Varga", "Vasquez", "Wagner", "Walker", "Wang", "Weber", "Williams", "Wilson",
	"Wong", "Wright", "Yamamoto", "Yilmaz", "Young", "Zhang", "Zimmermann", "O'Brien", "MacLeod", "van Dijk",
}

var companyHeads = []string{
	"Acme", "Apex", "Aurora", "Beacon", "Birch", "Blue Harbor", "Brightline", "Cascade", "Cedar", "Copperleaf",
	"Crescent", "Driftwood", "Evergreen", "Fairview", "Foxglove", "Granite", "Harborview", "Helix", "Ironwood", "Juniper",
	"Keystone", "Lakeside", "Lumen", "Maple", "Meridian", "Northwind", "Oakridge", "Orchid", "Pinnacle", "Quartz",
	"Redwood", "Riverbend", "Sable", "Silverline", "Summit", "Tidewater", "Trillium", "Vantage", "Willow", "Zenith",
}

var companyTails = []string{
	"Analytics", "Bakery", "Builders", "Capital", "Clinics", "Consulting", "Dental", "Design", "Energy", "Foods",
	"Freight", "Health", "Hotels", "Insurance", "Labs", "Legal", "Logistics", "Media", "Motors", "Partners",
	"Realty", "Robotics", "Software", "Studios", "Systems", "Textiles", "Travel", "Ventures", "Wellness", "Works",
}

var companySuffixes = []string{"", "", "", " Inc.", " LLC", " Ltd", " GmbH", " & Co.", " Group", " S.A."}

var sources = []string{"Web form", "Referral", "Trade show", "Cold call", "LinkedIn", "Partner", "Webinar", "Newsletter"}

var seedTags = []string{"vip", "enterprise", "smb", "follow-up", "newsletter", "trial", "renewal", "q3-campaign", "webinar", "decision-maker"}

var seedNotes = []string{
	"Called, left a voicemail. Will try again Thursday morning.",
	"Interested in the annual plan; wants a quote for 25 seats.",
	"Met at the trade show booth. Asked for a product demo next week.",
	"Currently using a competitor, contract ends in March.",
	"Budget approved for next quarter. Send the proposal to procurement.",
	"Prefers e-mail over phone. Time zone is CET.",
	"Asked about data residency in the EU and SSO support.",
	"Not the decision-maker; introduced us to their head of sales.",
}

var seedTasks = []string{
	"Send pricing sheet", "Schedule a demo", "Follow up on the proposal", "Call back after the holidays",
	"Share the case study", "Book an on-site visit", "Confirm contract start date",
}

// US area codes (valid for libphonenumber), used with 555-01xx numbers.
var usAreaCodes = []string{"201", "212", "213", "305", "312", "404", "415", "512", "617", "646", "702", "206", "303", "503", "612", "919"}
