#!/bin/bash
# Initiates the replica set rs0 (mongo1, mongo2, mongo3) and creates
# bettermatch's database user. Safe to run again: each step checks first.
set -euo pipefail

members='mongo1:27017,mongo2:27017,mongo3:27017'
root="mongodb://root:${MONGO_ROOT_PASSWORD}@mongo1:27017/admin?directConnection=true"

# Before rs.initiate no node is primary, so talk to mongo1 alone. It gets the
# higher priority so that it is normally the primary.
mongosh --quiet "$root" --eval '
  try {
    rs.status();
    print("replica set rs0 already initiated");
  } catch (e) {
    if (e.codeName !== "NotYetInitialized") throw e;
    rs.initiate({_id: "rs0", members: [
      {_id: 0, host: "mongo1:27017", priority: 2},
      {_id: 1, host: "mongo2:27017"},
      {_id: 2, host: "mongo3:27017"},
    ]});
    print("replica set rs0 initiated");
  }'

# Users are written on the primary: connect to the set, which finds it, and
# retry while the first election is under way.
for attempt in $(seq 1 30); do
  if mongosh --quiet "mongodb://root:${MONGO_ROOT_PASSWORD}@${members}/admin?replicaSet=rs0" --eval '
    const admin = db.getSiblingDB("admin");
    if (admin.getUser("bettermatch")) {
      admin.updateUser("bettermatch", {pwd: process.env.MONGO_APP_PASSWORD});
      print("user bettermatch exists; password brought in line with .env");
    } else {
      admin.createUser({user: "bettermatch", pwd: process.env.MONGO_APP_PASSWORD,
        roles: [{role: "readWrite", db: "bettermatch"}]});
      print("user bettermatch created");
    }'; then
    exit 0
  fi
  echo "waiting for a primary (attempt $attempt)"
  sleep 2
done
echo "no primary after 60s" >&2
exit 1
