// Package embedder turns text into vectors with any OpenAI-compatible
// embeddings endpoint: OpenAI itself, Azure OpenAI, or a local server such as
// Ollama, vLLM or LocalAI (set BaseURL to its /v1 address). It is the only
// package that imports go-openai; the rest of bettermatch sees a
// domain.Embedder.
//
// Calls are made in batches, each under its own timeout, and every failure is
// reported as domain.EUNAVAILABLE: the caller (the service's background worker)
// retries later and ranking stays lexical meanwhile, so the reason matters only
// for the log, which gets it through the wrapped error.
package embedder

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// Defaults for Config fields left zero.
const (
	DefaultModel     = "text-embedding-3-small"
	DefaultTimeout   = 10 * time.Second
	DefaultBatchSize = 64
)

// Config says where and how to embed.
type Config struct {
	APIKey string
	// BaseURL is the API root, including /v1 (e.g. http://localhost:11434/v1
	// for Ollama); empty means OpenAI. A host under openai.azure.com is
	// addressed the Azure way, with Model as the deployment name.
	BaseURL string
	Model   string
	// Timeout bounds one request (one batch).
	Timeout time.Duration
	// BatchSize is how many texts go in one request.
	BatchSize int
}

// Embedder is a domain.Embedder over an OpenAI-compatible endpoint.
type Embedder struct {
	client  *openai.Client
	model   string
	timeout time.Duration
	batch   int
}

var _ domain.Embedder = (*Embedder)(nil)

// New returns an embedder for cfg. It makes no request: an unreachable
// endpoint shows up as errors from Embed, which callers retry.
func New(cfg Config) *Embedder {
	if cfg.Model == "" {
		cfg.Model = DefaultModel
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	var oc openai.ClientConfig
	if isAzure(cfg.BaseURL) {
		oc = openai.DefaultAzureConfig(cfg.APIKey, cfg.BaseURL)
	} else {
		oc = openai.DefaultConfig(cfg.APIKey)
		if cfg.BaseURL != "" {
			oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
		}
	}
	// The context deadline bounds each request; the client's own timeout is
	// a backstop for a server that stalls while the body is read.
	oc.HTTPClient = &http.Client{Timeout: cfg.Timeout + time.Second}
	return &Embedder{client: openai.NewClientWithConfig(oc), model: cfg.Model, timeout: cfg.Timeout, batch: cfg.BatchSize}
}

func isAzure(base string) bool {
	u, err := url.Parse(base)
	return err == nil && strings.HasSuffix(strings.ToLower(u.Hostname()), ".openai.azure.com")
}

// Enabled reports true: an Embedder exists only when an endpoint is configured.
func (e *Embedder) Enabled() bool { return true }

// Model is the model name stored with every vector, so vectors of another
// model are never compared with these.
func (e *Embedder) Model() string { return e.model }

// Embed returns one vector per text, in order. Texts are sent BatchSize at a
// time; the first failing batch fails the call, so the caller retries all of
// it (the worker sends one batch per call, so little is redone).
func (e *Embedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, 0, len(texts))
	for i := 0; i < len(texts); i += e.batch {
		vs, err := e.embedBatch(ctx, texts[i:min(i+e.batch, len(texts))])
		if err != nil {
			return nil, err
		}
		out = append(out, vs...)
	}
	return out, nil
}

func (e *Embedder) embedBatch(ctx context.Context, texts []string) ([][]float32, error) {
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	resp, err := e.client.CreateEmbeddings(ctx, openai.EmbeddingRequestStrings{
		Input: texts,
		Model: openai.EmbeddingModel(e.model),
	})
	if err != nil {
		return nil, unavailable(err)
	}
	if len(resp.Data) != len(texts) {
		return nil, unavailable(fmt.Errorf("%d vectors for %d texts", len(resp.Data), len(texts)))
	}
	// The API numbers its answers; servers need not return them in order.
	out := make([][]float32, len(texts))
	for _, d := range resp.Data {
		if d.Index < 0 || d.Index >= len(texts) || out[d.Index] != nil {
			return nil, unavailable(fmt.Errorf("vector index %d out of range or repeated", d.Index))
		}
		if len(d.Embedding) == 0 {
			return nil, unavailable(fmt.Errorf("empty vector for text %d", d.Index))
		}
		out[d.Index] = d.Embedding
	}
	return out, nil
}

// unavailable wraps err as EUNAVAILABLE, keeping it in the chain for the log.
// An API error's message can echo the key's prefix or the request, so the
// user-facing message stays generic.
func unavailable(err error) error {
	msg := "The embedding service is unavailable."
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		msg = "The embedding service did not answer in time."
	case errors.As(err, &apiErr) && apiErr.HTTPStatusCode > 0:
		msg = fmt.Sprintf("The embedding service answered %d.", apiErr.HTTPStatusCode)
	case errors.As(err, &reqErr) && reqErr.HTTPStatusCode > 0:
		msg = fmt.Sprintf("The embedding service answered %d.", reqErr.HTTPStatusCode)
	}
	return fmt.Errorf("embed: %w: %w", domain.Errorf(domain.EUNAVAILABLE, "%s", msg), err)
}
