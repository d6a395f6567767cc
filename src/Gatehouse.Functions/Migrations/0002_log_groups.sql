-- Log groups created with CreateLogGroup, or given a retention policy or tags. A function's group
-- without any of those exists only through its events (functions_log_events), as before.
CREATE TABLE functions_log_groups (
    account         TEXT NOT NULL,
    region          TEXT NOT NULL,
    name            TEXT NOT NULL,
    creation_time   INTEGER NOT NULL,
    retention_days  INTEGER,
    kms_key_id      TEXT,
    log_group_class TEXT NOT NULL,
    tags            TEXT NOT NULL,
    PRIMARY KEY (account, region, name)
);
