-- Functions (Lambda): functions, their versions ($LATEST and published), aliases, queued Event
-- invocations, and the CloudWatch Logs events they write.
CREATE TABLE functions_functions (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    reserved_concurrency INTEGER NULL,
    last_version INTEGER NOT NULL DEFAULT 0,
    tags TEXT NOT NULL DEFAULT '{}',
    policy TEXT NOT NULL DEFAULT '[]',
    policy_revision TEXT NOT NULL,
    PRIMARY KEY (account, region, name)
);

-- One row per version; the configuration is read back whole, so it sits in a JSON column.
CREATE TABLE functions_versions (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    config TEXT NOT NULL,
    PRIMARY KEY (account, region, name, version),
    FOREIGN KEY (account, region, name) REFERENCES functions_functions (account, region, name) ON DELETE CASCADE
);

CREATE TABLE functions_aliases (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    alias TEXT NOT NULL,
    function_version TEXT NOT NULL,
    description TEXT NOT NULL,
    revision_id TEXT NOT NULL,
    PRIMARY KEY (account, region, name, alias),
    FOREIGN KEY (account, region, name) REFERENCES functions_functions (account, region, name) ON DELETE CASCADE
);

CREATE TABLE functions_event_queue (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    qualifier TEXT NULL,
    request_id TEXT NOT NULL,
    payload BLOB NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before INTEGER NOT NULL
);

CREATE TABLE functions_log_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    log_group TEXT NOT NULL,
    log_stream TEXT NOT NULL,
    timestamp INTEGER NOT NULL,
    ingestion_time INTEGER NOT NULL,
    message TEXT NOT NULL
);

CREATE INDEX functions_log_events_group ON functions_log_events (account, region, log_group, id);
