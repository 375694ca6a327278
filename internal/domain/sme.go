package domain

// Company sizes, by the EU definition.
const (
	SizeMicro  = "micro"
	SizeSmall  = "small"
	SizeMedium = "medium"
)

// SME is a company profile.
type SME struct {
	Meta
	Owner string `json:"owner,omitempty"`
	SMEInput
}

func (s *SME) RecordMeta() *Meta { return &s.Meta }

// SMEInput holds the fields an owner writes. A PATCH decodes onto the current
// values, so fields left out keep theirs.
type SMEInput struct {
	ExternalID     string   `json:"externalId,omitempty"`
	Name           string   `json:"name"`
	CompanyNumber  string   `json:"companyNumber,omitempty"`
	Size           string   `json:"size"`
	Region         string   `json:"region"`
	Website        string   `json:"website,omitempty"`
	Summary        string   `json:"summary"`
	Description    string   `json:"description"`
	Capabilities   []string `json:"capabilities"`
	Skills         []string `json:"skills"`
	CPV            []string `json:"cpv"`
	SIC            []string `json:"sic"`
	Certifications []string `json:"certifications"`
	Language       string   `json:"language,omitempty"`
}

// Normalize trims list fields.
func (in *SMEInput) Normalize() {
	in.Capabilities = CleanList(in.Capabilities)
	in.Skills = CleanList(in.Skills)
	in.CPV = CleanList(in.CPV)
	in.SIC = CleanList(in.SIC)
	in.Certifications = CleanList(in.Certifications)
}

// Validate checks the profile.
func (in *SMEInput) Validate() error {
	var v Validation
	externalID(&v, in.ExternalID)
	text(&v, "name", in.Name, 1, maxShort)
	text(&v, "companyNumber", in.CompanyNumber, 0, 40)
	oneOf(&v, "size", in.Size, SizeMicro, SizeSmall, SizeMedium)
	text(&v, "region", in.Region, 1, maxShort)
	link(&v, "website", in.Website)
	text(&v, "summary", in.Summary, 0, 1000)
	text(&v, "description", in.Description, 0, maxProse)
	list(&v, "capabilities", in.Capabilities)
	list(&v, "skills", in.Skills)
	cpvList(&v, "cpv", in.CPV)
	list(&v, "sic", in.SIC)
	list(&v, "certifications", in.Certifications)
	language(&v, in.Language)
	if in.Summary == "" && in.Description == "" && len(in.Capabilities) == 0 {
		v.Add("summary", "say what the company does in the summary, description or capabilities")
	}
	return v.Err()
}
