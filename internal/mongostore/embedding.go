package mongostore

import "github.com/bettermatch/bettermatch/internal/domain"

type embeddingDoc struct {
	Meta     metaDoc   `bson:",inline"`
	Kind     string    `bson:"kind"`
	RecordID string    `bson:"recordId"`
	Model    string    `bson:"model"`
	Hash     string    `bson:"hash"`
	Vector   []float32 `bson:"vector"`
}

func (d *embeddingDoc) meta() *metaDoc { return &d.Meta }

var embeddingEntity = entity[*domain.Embedding, *embeddingDoc]{
	name: "embeddings", kind: "Embedding",
	fields: map[string]string{"kind": "kind", "recordId": "recordId", "model": "model"},
	newDoc: func() *embeddingDoc { return new(embeddingDoc) },
	toDoc: func(e *domain.Embedding) *embeddingDoc {
		return &embeddingDoc{Meta: toMeta(e.Meta), Kind: e.Kind, RecordID: e.RecordID, Model: e.Model, Hash: e.Hash, Vector: e.Vector}
	},
	fromDoc: func(d *embeddingDoc) *domain.Embedding {
		return &domain.Embedding{Meta: fromMeta(d.Meta), Kind: d.Kind, RecordID: d.RecordID, Model: d.Model, Hash: d.Hash, Vector: d.Vector}
	},
}
