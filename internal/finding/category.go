package finding

// Category is one of the thirteen report categories of CONTRACT.md.
type Category string

// The report categories.
const (
	Authentication        Category = "authentication"
	BOLA                  Category = "bola"
	BFLA                  Category = "bfla"
	PropertyAuthorization Category = "property-authorization"
	InputValidation       Category = "input-validation"
	RateLimiting          Category = "rate-limiting"
	DataExposure          Category = "data-exposure"
	Encryption            Category = "encryption"
	SSRF                  Category = "ssrf"
	Inventory             Category = "inventory"
	UnsafeConsumption     Category = "unsafe-consumption"
	LLM                   Category = "llm"
	Deserialization       Category = "deserialization"
)

// Categories lists every category in report order.
var Categories = []Category{
	Authentication, BOLA, BFLA, PropertyAuthorization, InputValidation, RateLimiting,
	DataExposure, Encryption, SSRF, Inventory, UnsafeConsumption, LLM, Deserialization,
}

// CategoryMeta is what a category maps to by default. A check may override the
// OWASP item and CWE of a single finding when a closer one fits.
type CategoryMeta struct {
	Title      string
	OWASP      string
	CWE        string
	Compliance []Control
}

// Compliance frameworks, as written in reports.
const (
	FrameworkOWASP = "owasp-api"
	FrameworkPCI   = "pci-dss"
	FrameworkSOC2  = "soc2"
	FrameworkHIPAA = "hipaa"
	FrameworkGDPR  = "gdpr"
)

func controls(pci, soc2, hipaa, gdpr string) []Control {
	return []Control{
		{Framework: FrameworkPCI, Control: pci},
		{Framework: FrameworkSOC2, Control: soc2},
		{Framework: FrameworkHIPAA, Control: hipaa},
		{Framework: FrameworkGDPR, Control: gdpr},
	}
}

// The mapping table. PCI-DSS 4.0 requirement numbers, SOC 2 common criteria,
// HIPAA Security Rule sections (45 CFR) and GDPR articles; see docs/compliance.md.
var categoryMeta = map[Category]CategoryMeta{
	Authentication:        {"Authentication", "API2:2023", "CWE-287", controls("8.3.1", "CC6.1", "164.312(d)", "Art. 32(1)(b)")},
	BOLA:                  {"Object-level authorization", "API1:2023", "CWE-639", controls("7.2.1", "CC6.1", "164.312(a)(1)", "Art. 32(1)(b)")},
	BFLA:                  {"Function-level authorization", "API5:2023", "CWE-285", controls("7.2.2", "CC6.3", "164.312(a)(1)", "Art. 25(2)")},
	PropertyAuthorization: {"Property-level authorization", "API3:2023", "CWE-213", controls("7.2.1", "CC6.1", "164.312(a)(1)", "Art. 25(2)")},
	InputValidation:       {"Input validation", "API8:2023", "CWE-20", controls("6.2.4", "CC7.1", "164.312(c)(1)", "Art. 32(1)(b)")},
	RateLimiting:          {"Rate limiting", "API4:2023", "CWE-770", controls("6.4.1", "A1.1", "164.308(a)(7)(i)", "Art. 32(1)(b)")},
	DataExposure:          {"Data exposure", "API8:2023", "CWE-200", controls("6.2.4", "CC6.1", "164.312(a)(1)", "Art. 5(1)(f)")},
	Encryption:            {"Encryption and transport", "API8:2023", "CWE-319", controls("4.2.1", "CC6.7", "164.312(e)(1)", "Art. 32(1)(a)")},
	SSRF:                  {"Server-side request forgery", "API7:2023", "CWE-918", controls("6.2.4", "CC6.6", "164.312(a)(1)", "Art. 32(1)(b)")},
	Inventory:             {"Inventory management", "API9:2023", "CWE-1059", controls("6.3.2", "CC8.1", "164.308(a)(1)(ii)(A)", "Art. 30")},
	UnsafeConsumption:     {"Unsafe consumption of APIs", "API10:2023", "CWE-20", controls("6.2.4", "CC9.2", "164.308(b)(1)", "Art. 28")},
	LLM:                   {"LLM and AI endpoints", "API8:2023", "CWE-1427", controls("6.2.4", "CC7.1", "164.312(c)(1)", "Art. 32(1)(b)")},
	Deserialization:       {"Insecure deserialization", "API8:2023", "CWE-502", controls("6.2.4", "CC7.1", "164.312(c)(1)", "Art. 32(1)(b)")},
}

// Meta returns the category's default mapping; an unknown category gets an empty one.
func (c Category) Meta() CategoryMeta { return categoryMeta[c] }

// Valid reports whether c is one of the thirteen categories.
func (c Category) Valid() bool { _, ok := categoryMeta[c]; return ok }
