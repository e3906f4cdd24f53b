/** Schema of <dataDir>/raft/raft.db. Version in `PRAGMA user_version`. */
export const SCHEMA_VERSION = 1

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS log (
  idx  INTEGER PRIMARY KEY,
  term INTEGER NOT NULL,
  type INTEGER NOT NULL,
  data BLOB NOT NULL
) STRICT;
-- term, vote, commit (the hard state) and compact_index/compact_term (the compaction point)
CREATE TABLE IF NOT EXISTS stable (
  key   TEXT PRIMARY KEY,
  value ANY
) STRICT;
-- newest SNAPSHOTS_RETAINED rows are kept; conf is JSON {voters, learners}
CREATE TABLE IF NOT EXISTS snapshots (
  idx     INTEGER PRIMARY KEY,
  term    INTEGER NOT NULL,
  conf    TEXT NOT NULL,
  data    BLOB NOT NULL,
  created INTEGER NOT NULL
) STRICT;
`
