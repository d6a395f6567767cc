-- Hosted login pages and OAuth 2.0: user pool domains (prefix domains) and resource servers.
-- Numbered from 0100 so these never collide with the user pools' own migrations.
CREATE TABLE identity_domains (
    domain TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL REFERENCES identity_pools(id) ON DELETE CASCADE,
    managed_login_version INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX identity_domains_pool ON identity_domains(pool_id);

-- scopes: JSON array of {ScopeName, ScopeDescription}, only ever read back whole.
CREATE TABLE identity_resource_servers (
    pool_id TEXT NOT NULL REFERENCES identity_pools(id) ON DELETE CASCADE,
    identifier TEXT NOT NULL,
    name TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (pool_id, identifier)
);
