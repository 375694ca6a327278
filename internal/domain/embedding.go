package domain

import "context"

// Embedding is the vector of one record's text under one model. Its id is derived
// from kind, record id and model; Hash is of the text embedded, so unchanged text
// is never embedded twice.
type Embedding struct {
	Meta
	Kind     string    `json:"kind"`
	RecordID string    `json:"recordId"`
	Model    string    `json:"model"`
	Hash     string    `json:"hash"`
	Vector   []float32 `json:"vector"`
}

func (e *Embedding) RecordMeta() *Meta { return &e.Meta }

// Embedder turns texts into vectors. The no-op implementation, used when no
// endpoint is configured, reports Enabled() == false.
type Embedder interface {
	Enabled() bool
	Model() string
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// NopEmbedder is the embedder when none is configured.
type NopEmbedder struct{}

func (NopEmbedder) Enabled() bool { return false }
func (NopEmbedder) Model() string { return "" }
func (NopEmbedder) Embed(context.Context, []string) ([][]float32, error) {
	return nil, Errorf(EUNAVAILABLE, "Embeddings are not configured.")
}
