-- hushd schema 2 (PostgreSQL). The mailbox writer inserts a whole batch of
-- bodies with one statement and must know their ids before it writes the
-- queue rows that point at them, so it assigns them itself (it is the only
-- writer of bodies: MAX(id) + 1 onwards, kept in memory).
ALTER TABLE bodies ALTER COLUMN id DROP IDENTITY IF EXISTS;
