-- IAM and STS (one account-wide state). Each resource is one row: its kind (role, policy,
-- instance-profile, user, access-key, session), the name or id AWS looks it up by, and its
-- settings as a JSON document, only ever read back whole at start.
CREATE TABLE access_resources (
    kind     TEXT NOT NULL,
    name     TEXT NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (kind, name)
);
