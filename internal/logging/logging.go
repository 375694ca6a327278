// Package logging carries a request's id in its context and adds it to every
// log record made with that context, so a line logged deep in the service
// (slog's ...Context methods) can be tied to the request and to the requestId
// its caller saw in the response. It imports only the standard library.
package logging

import (
	"context"
	"log/slog"
)

// RequestIDKey is the attribute name of the request id in log records.
const RequestIDKey = "request_id"

type ctxKey struct{}

// WithRequestID returns ctx carrying id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// RequestID returns the request id ctx carries, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// Handler wraps h so that records made with a context carrying a request id
// get a request_id attribute, unless they already have one.
func Handler(h slog.Handler) slog.Handler { return &handler{h} }

type handler struct{ slog.Handler }

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" && !hasRequestID(r) {
		r = r.Clone()
		r.AddAttrs(slog.String(RequestIDKey, id))
	}
	return h.Handler.Handle(ctx, r)
}

func hasRequestID(r slog.Record) bool {
	found := false
	r.Attrs(func(a slog.Attr) bool {
		found = a.Key == RequestIDKey
		return !found
	})
	return found
}

func (h *handler) WithAttrs(as []slog.Attr) slog.Handler { return &handler{h.Handler.WithAttrs(as)} }
func (h *handler) WithGroup(name string) slog.Handler    { return &handler{h.Handler.WithGroup(name)} }
