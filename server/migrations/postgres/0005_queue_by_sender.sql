-- hushd schema 3 (PostgreSQL). A sender account may hold only its share of
-- each recipient device's queue (docs/server/api.md, "Limits"); the mailbox
-- writer counts that sender's rows in the queue with a bounded scan of this
-- index whenever the queue is at least a share deep.
CREATE INDEX queue_by_sender ON queue(account_id, device_id, sender_account);
