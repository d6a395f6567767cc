-- CloudFormation. A stack is one document (template, parameters, outputs and its resources with
-- their physical ids, properties, attributes and statuses); events and change sets have rows of their own.
CREATE TABLE stacks_stacks (
    stack_id TEXT NOT NULL PRIMARY KEY,
    document TEXT NOT NULL
);

CREATE TABLE stacks_events (
    stack_id TEXT NOT NULL,
    seq      INTEGER NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (stack_id, seq)
);

CREATE TABLE stacks_change_sets (
    change_set_id TEXT NOT NULL PRIMARY KEY,
    stack_id      TEXT NOT NULL,
    document      TEXT NOT NULL
);
