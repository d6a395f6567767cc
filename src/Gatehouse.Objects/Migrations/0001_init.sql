-- S3 (buckets, objects, multipart uploads). Bytes live in the blob store, named by SHA-256;
-- these tables hold what S3 answers about them. Columns that lookups and listings use are
-- explicit; the rest (user metadata, checksums, bucket policy/tagging/encryption) sits in a JSON document.
CREATE TABLE s3_buckets (
    name          TEXT NOT NULL PRIMARY KEY,
    region        TEXT NOT NULL,
    created       TEXT NOT NULL,
    versioning    TEXT,
    document      TEXT NOT NULL
);

-- One row per object version; version_id 'null' for the one version of an unversioned bucket.
CREATE TABLE s3_objects (
    bucket        TEXT NOT NULL,
    key           TEXT NOT NULL,
    version_id    TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    is_latest     INTEGER NOT NULL,
    delete_marker INTEGER NOT NULL,
    size          INTEGER NOT NULL,
    etag          TEXT NOT NULL,
    blob          TEXT,
    content_type  TEXT,
    last_modified TEXT NOT NULL,
    document      TEXT NOT NULL,
    PRIMARY KEY (bucket, key, version_id)
);
CREATE INDEX s3_objects_latest ON s3_objects (bucket, is_latest, key);

CREATE TABLE s3_uploads (
    upload_id     TEXT NOT NULL PRIMARY KEY,
    bucket        TEXT NOT NULL,
    key           TEXT NOT NULL,
    initiated     TEXT NOT NULL,
    document      TEXT NOT NULL
);
CREATE INDEX s3_uploads_bucket ON s3_uploads (bucket, key);

CREATE TABLE s3_parts (
    upload_id     TEXT NOT NULL,
    part_number   INTEGER NOT NULL,
    size          INTEGER NOT NULL,
    etag          TEXT NOT NULL,
    blob          TEXT NOT NULL,
    last_modified TEXT NOT NULL,
    PRIMARY KEY (upload_id, part_number)
);
