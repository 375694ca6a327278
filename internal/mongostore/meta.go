package mongostore

import (
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// metaDoc is the part every stored document shares, inlined in each entity's
// document as its Meta field (a named field: the driver skips embedded structs
// of unexported types) and reached by the generic code through doc.meta.
type metaDoc struct {
	ID        string    `bson:"_id"`
	CreatedAt time.Time `bson:"createdAt"`
	UpdatedAt time.Time `bson:"updatedAt"`
	Version   int64     `bson:"version"`
}

// doc is a pointer to an entity's document.
type doc interface{ meta() *metaDoc }

func toMeta(m domain.Meta) metaDoc {
	return metaDoc{ID: m.ID, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt, Version: m.Version}
}

func fromMeta(m metaDoc) domain.Meta {
	return domain.Meta{ID: m.ID, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt, Version: m.Version}
}

// now is the store's clock, truncated to what BSON keeps (milliseconds) so a
// record reflects exactly what a later read returns.
func now() time.Time { return bsonTime(time.Now()) }

// bsonTime is t as a BSON datetime will give it back: UTC, milliseconds.
func bsonTime(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }
