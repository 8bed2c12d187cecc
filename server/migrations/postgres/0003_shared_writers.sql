-- hushd schema 3 (PostgreSQL): several hushd nodes may write one database
-- (issue #17), so body ids come from a sequence instead of a writer's
-- in-memory MAX(id) + 1. Started past every id in use. Upgrade all nodes
-- together: a schema-2 hushd would still hand out MAX(id) + 1.
CREATE SEQUENCE body_ids AS BIGINT;
SELECT setval('body_ids', COALESCE((SELECT MAX(id) FROM bodies), 0) + 1, false);
