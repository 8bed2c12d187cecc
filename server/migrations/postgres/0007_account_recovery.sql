-- hushd schema 7 (PostgreSQL): account recovery (issue #16, "I lost my only
-- device"). The hash of the account's one recovery code, shown to the user
-- once at registration: presenting the code replaces every device of the
-- account by a new one with a new identity key (docs/server/api.md,
-- "Recovery"). NULL for accounts registered before: they cannot recover.
ALTER TABLE accounts ADD COLUMN recovery_hash BYTEA;  -- SHA-256(recovery code)
