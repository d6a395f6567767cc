-- HTTP APIs (API Gateway v2). Identifiers and the columns lookups use are explicit; each
-- resource's remaining AWS settings, only ever read back whole, sit in a JSON document.
CREATE TABLE gateway_apis (
    api_id       TEXT NOT NULL PRIMARY KEY,
    account      TEXT NOT NULL,
    region       TEXT NOT NULL,
    name         TEXT NOT NULL,
    created_date TEXT NOT NULL,
    document     TEXT NOT NULL
);

CREATE TABLE gateway_routes (
    api_id    TEXT NOT NULL,
    route_id  TEXT NOT NULL,
    route_key TEXT NOT NULL,
    document  TEXT NOT NULL,
    PRIMARY KEY (api_id, route_id)
);

CREATE TABLE gateway_integrations (
    api_id         TEXT NOT NULL,
    integration_id TEXT NOT NULL,
    document       TEXT NOT NULL,
    PRIMARY KEY (api_id, integration_id)
);

CREATE TABLE gateway_authorizers (
    api_id        TEXT NOT NULL,
    authorizer_id TEXT NOT NULL,
    document      TEXT NOT NULL,
    PRIMARY KEY (api_id, authorizer_id)
);

CREATE TABLE gateway_stages (
    api_id        TEXT NOT NULL,
    stage_name    TEXT NOT NULL,
    deployment_id TEXT,
    document      TEXT NOT NULL,
    PRIMARY KEY (api_id, stage_name)
);

-- A deployment's document holds the routes, integrations and authorizers it froze.
CREATE TABLE gateway_deployments (
    api_id        TEXT NOT NULL,
    deployment_id TEXT NOT NULL,
    created_date  TEXT NOT NULL,
    document      TEXT NOT NULL,
    PRIMARY KEY (api_id, deployment_id)
);
