package mongostore

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// Migrations bring documents written by an older version up to what the
// store now writes, once per database: each runs at Open unless the
// migrations collection has its document ({_id: name, at: time}), which it
// writes when it is done. One that fails is run again at the next Open, so a
// migration must be safe to repeat. They run before the store serves
// anything, and on FerretDB their query is one scan of a collection at the
// first Open after an upgrade, not one per request.
//
// A process of the older version still running beside a migrated one (a
// rolling upgrade) may write documents the migration has passed; deleting
// the migration's document makes the next Open run it again.
const migrationsName = "migrations"

type migration struct {
	name string
	run  func(ctx context.Context, s *Store) error
}

var migrations = []migration{
	{"challenges.orgKey", backfillOrgKeys},
}

// migrate runs the migrations this database has not had.
func (s *Store) migrate(ctx context.Context) error {
	done := s.db.Collection(migrationsName)
	for _, m := range migrations {
		err := done.FindOne(ctx, byID(m.name)).Err()
		if err == nil {
			continue
		} else if !noDocuments(err) {
			return translate(err, "database", "read migrations")
		}
		if err := m.run(ctx, s); err != nil {
			return err
		}
		exit := s.writes.enter()
		_, err = s.wdb.Collection(migrationsName).ReplaceOne(ctx, byID(m.name), bson.D{{Key: "at", Value: now()}}, options.Replace().SetUpsert(true))
		exit()
		if err != nil {
			return translate(err, "database", "record migration "+m.name)
		}
	}
	return nil
}

// migrateBatch is how many documents a migration updates in one bulk write,
// clear of ferretBulkLimit.
const migrateBatch = 50

// backfillOrgKeys gives the challenges written before the organisation key
// was kept (challengeDoc.OrgKey) their key. The key is derived data: the
// record does not change, so neither do its version nor its change log, and
// the search index computes the key itself.
//
// On MongoDB each update's filter names the organisation the key was
// computed from and asks for the key to be missing, so a challenge written
// meanwhile is left as that write left it. On FerretDB, where any filter
// beyond _id scans the collection, the challenges are read again by _id just
// before their keys are set, one batch at a time, leaving a window between
// processes of about one bulk write in which an edit by another process can
// be undone ($set is a read and a write there, and these writes take no
// claims, claims.go). On the embedded database (2 CPUs) 20k challenges took 20 s
// at the first Open: the scan 2.5 s, the reads again 6 s, the bulk updates
// the rest; one update at a time it was 40 s.
func backfillOrgKeys(ctx context.Context, s *Store) error {
	coll := s.challenges.coll
	missing := bson.E{Key: "orgKey", Value: bson.D{{Key: "$exists", Value: false}}}
	opts := options.Find().SetProjection(bson.D{{Key: "organisation", Value: 1}}).SetBatchSize(1000)
	cur, err := coll.Find(ctx, bson.D{missing}, opts)
	if err != nil {
		return translate(err, "Challenge", "migrate challenges")
	}
	var old []orgKeyDoc
	if err := cur.All(ctx, &old); err != nil {
		return translate(err, "Challenge", "migrate challenges")
	}
	for i := 0; i < len(old); i += migrateBatch {
		batch := old[i:min(i+migrateBatch, len(old))]
		if s.ferret {
			err := parallel(ctx, len(batch), func(k int) error {
				var d orgKeyDoc
				err := coll.FindOne(ctx, byID(batch[k].ID)).Decode(&d)
				if noDocuments(err) {
					d = orgKeyDoc{ID: batch[k].ID, OrgKey: new(string)} // deleted: nothing to do
				} else if err != nil {
					return translate(err, "Challenge", "migrate challenges")
				}
				batch[k] = d
				return nil
			})
			if err != nil {
				return err
			}
		}
		var models []mongo.WriteModel
		for _, d := range batch {
			if d.OrgKey != nil {
				continue // written with its key since the scan
			}
			filter := byID(d.ID)
			if !s.ferret {
				filter = append(filter, bson.E{Key: "organisation", Value: d.Organisation}, missing)
			}
			set := bson.D{{Key: "$set", Value: bson.D{{Key: "orgKey", Value: domain.OrgKey(d.Organisation)}}}}
			models = append(models, mongo.NewUpdateOneModel().SetFilter(filter).SetUpdate(set))
		}
		if len(models) == 0 {
			continue
		}
		exit := s.writes.enter()
		_, err := s.challenges.wcoll.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
		exit()
		if err != nil {
			return translate(err, "Challenge", "migrate challenges")
		}
	}
	return nil
}

// orgKeyDoc is what backfillOrgKeys reads of a challenge; OrgKey is nil when
// the document has no key.
type orgKeyDoc struct {
	ID           string  `bson:"_id"`
	Organisation string  `bson:"organisation"`
	OrgKey       *string `bson:"orgKey"`
}
