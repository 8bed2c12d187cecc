-- hushd schema 4 (SQLite): keys every hushd node of one database must share
-- (issue #17); one node has the table too, so a restart keeps the key (a
-- registration challenge issued just before a restart stays valid).
CREATE TABLE server_secrets (
  name  TEXT NOT NULL PRIMARY KEY,
  value BLOB NOT NULL
);

-- Registration challenges already used, until they expire: a replay is
-- refused on every node, not only on the one that saw the first use.
CREATE TABLE used_challenges (
  nonce      BLOB NOT NULL PRIMARY KEY,  -- the challenge's 16 random bytes
  expires_at INTEGER NOT NULL
);
