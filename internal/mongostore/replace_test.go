package mongostore

import (
	"context"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestFerretVersionFilterScans pins why FerretDB replaces filter by _id alone
// (replace.go): FerretDB 1.24 pushes a filter down to SQLite only when it is
// {_id: X} and nothing else, so {_id: X, version: v} reads and decodes the
// whole collection. If a FerretDB upgrade makes this fail, the version may be
// worth moving into the filter; if the update's read and write also became
// one transaction, the filter would close the race between processes by
// itself and the claims (claims.go) could go. Until then they close it;
// TestConcurrentModifyTwoStores checks that they do.
func TestFerretVersionFilterScans(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	if !s.Ferret() {
		t.Skip("FerretDB only")
	}
	for _, tc := range []struct {
		filter bson.D
		want   bool
	}{
		{byID("x"), true},
		{append(byID("x"), bson.E{Key: "version", Value: int64(1)}), false},
	} {
		cmd := bson.D{{Key: "explain", Value: bson.D{
			{Key: "find", Value: s.smes.coll.Name()}, {Key: "filter", Value: tc.filter},
		}}}
		var res struct {
			FilterPushdown bool `bson:"filterPushdown"`
		}
		if err := s.db.RunCommand(ctx, cmd).Decode(&res); err != nil {
			t.Fatal(err)
		}
		if res.FilterPushdown != tc.want {
			t.Errorf("filter %v: pushed down %v, want %v", tc.filter, res.FilterPushdown, tc.want)
		}
	}
}
