-- User pools (Cognito). Every row is scoped by its pool, and pools by account and region.
-- Nested settings that are only ever read back whole (policies, schema, OAuth settings) sit in
-- JSON columns; everything looked up or filtered on has its own column.
CREATE TABLE identity_pools (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    settings TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    modified_at INTEGER NOT NULL
);

CREATE TABLE identity_clients (
    id TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL REFERENCES identity_pools(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    secret TEXT NULL,
    settings TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    modified_at INTEGER NOT NULL
);
CREATE INDEX identity_clients_pool ON identity_clients(pool_id);

-- password_hash is a PBKDF2 hash; srp_verifier is sealed (AES-GCM) with the service's secret key.
CREATE TABLE identity_users (
    pool_id TEXT NOT NULL REFERENCES identity_pools(id) ON DELETE CASCADE,
    username TEXT NOT NULL,
    sub TEXT NOT NULL,
    status TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    password_hash TEXT NULL,
    srp_salt BLOB NULL,
    srp_verifier BLOB NULL,
    credential_stamp TEXT NOT NULL,
    temporary_expires_at INTEGER NULL,
    tokens_valid_after INTEGER NULL,
    code_purpose TEXT NULL,
    code_hash TEXT NULL,
    code_expires_at INTEGER NULL,
    code_attempts INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    modified_at INTEGER NOT NULL,
    PRIMARY KEY (pool_id, username)
);

CREATE TABLE identity_user_attributes (
    pool_id TEXT NOT NULL,
    username TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    PRIMARY KEY (pool_id, username, name),
    FOREIGN KEY (pool_id, username) REFERENCES identity_users(pool_id, username) ON DELETE CASCADE
);

CREATE TABLE identity_groups (
    pool_id TEXT NOT NULL REFERENCES identity_pools(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NULL,
    role_arn TEXT NULL,
    precedence INTEGER NULL,
    created_at INTEGER NOT NULL,
    modified_at INTEGER NOT NULL,
    PRIMARY KEY (pool_id, name)
);

CREATE TABLE identity_memberships (
    pool_id TEXT NOT NULL,
    group_name TEXT NOT NULL,
    username TEXT NOT NULL,
    PRIMARY KEY (pool_id, group_name, username),
    FOREIGN KEY (pool_id, group_name) REFERENCES identity_groups(pool_id, name) ON DELETE CASCADE,
    FOREIGN KEY (pool_id, username) REFERENCES identity_users(pool_id, username) ON DELETE CASCADE
);

-- Signing keys (RSA, PKCS#8) and the refresh-token key (AES-256), sealed with the service's secret key.
CREATE TABLE identity_keys (
    pool_id TEXT NOT NULL REFERENCES identity_pools(id) ON DELETE CASCADE,
    kid TEXT NOT NULL,
    purpose TEXT NOT NULL,
    material BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (pool_id, kid)
);

-- Revoked sign-ins (RevokeToken): the origin_jti of the refresh token and everything minted from it.
CREATE TABLE identity_revocations (
    pool_id TEXT NOT NULL REFERENCES identity_pools(id) ON DELETE CASCADE,
    origin_jti TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (pool_id, origin_jti)
);
