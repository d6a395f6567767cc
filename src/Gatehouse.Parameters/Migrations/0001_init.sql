-- SSM Parameter Store. One row per parameter (its tags) and one per kept version (at most 100, as
-- AWS keeps). SecureString values are stored sealed (AES-GCM under the key file beside the store).
CREATE TABLE parameters_parameters (
    account TEXT NOT NULL,
    region  TEXT NOT NULL,
    name    TEXT NOT NULL,
    tags    TEXT NOT NULL,
    PRIMARY KEY (account, region, name)
);

CREATE TABLE parameters_versions (
    account  TEXT NOT NULL,
    region   TEXT NOT NULL,
    name     TEXT NOT NULL,
    version  INTEGER NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (account, region, name, version)
);
