package mongostore

import "github.com/bettermatch/bettermatch/internal/domain"

type smeDoc struct {
	Meta           metaDoc  `bson:",inline"`
	Owner          string   `bson:"owner,omitempty"`
	ExternalID     string   `bson:"externalId,omitempty"`
	Name           string   `bson:"name"`
	CompanyNumber  string   `bson:"companyNumber,omitempty"`
	Size           string   `bson:"size"`
	Region         string   `bson:"region"`
	Website        string   `bson:"website,omitempty"`
	Summary        string   `bson:"summary"`
	Description    string   `bson:"description"`
	Capabilities   []string `bson:"capabilities"`
	Skills         []string `bson:"skills"`
	CPV            []string `bson:"cpv"`
	SIC            []string `bson:"sic"`
	Certifications []string `bson:"certifications"`
	Language       string   `bson:"language,omitempty"`
}

func (d *smeDoc) meta() *metaDoc { return &d.Meta }

var smeEntity = entity[*domain.SME, *smeDoc]{
	name: "smes", kind: "SME",
	fields: map[string]string{"owner": "owner", "externalId": "externalId", "size": "size", "region": "region"},
	newDoc: func() *smeDoc { return new(smeDoc) },
	toDoc: func(s *domain.SME) *smeDoc {
		in := &s.SMEInput
		return &smeDoc{
			Meta: toMeta(s.Meta), Owner: s.Owner, ExternalID: in.ExternalID, Name: in.Name,
			CompanyNumber: in.CompanyNumber, Size: in.Size, Region: in.Region, Website: in.Website,
			Summary: in.Summary, Description: in.Description, Capabilities: in.Capabilities,
			Skills: in.Skills, CPV: in.CPV, SIC: in.SIC, Certifications: in.Certifications, Language: in.Language,
		}
	},
	fromDoc: func(d *smeDoc) *domain.SME {
		return &domain.SME{Meta: fromMeta(d.Meta), Owner: d.Owner, SMEInput: domain.SMEInput{
			ExternalID: d.ExternalID, Name: d.Name, CompanyNumber: d.CompanyNumber, Size: d.Size,
			Region: d.Region, Website: d.Website, Summary: d.Summary, Description: d.Description,
			Capabilities: d.Capabilities, Skills: d.Skills, CPV: d.CPV, SIC: d.SIC,
			Certifications: d.Certifications, Language: d.Language,
		}}
	},
}
