-- hushd schema 4 (PostgreSQL): keys every hushd node of one database must
-- share (issue #17). Today one: the HMAC key of registration challenges, so
-- a challenge issued by one node verifies on another. The first node to
-- start stores its random candidate; the others read it.
CREATE TABLE server_secrets (
  name  TEXT  NOT NULL PRIMARY KEY,
  value BYTEA NOT NULL
);

-- Registration challenges already used, until they expire: a replay is
-- refused on every node, not only on the one that saw the first use.
CREATE TABLE used_challenges (
  nonce      BYTEA NOT NULL PRIMARY KEY,  -- the challenge's 16 random bytes
  expires_at BIGINT NOT NULL
);
