-- The generic contact-centre schema: a typical vendor database, the shape ExitKit's `sql` connector maps by default
-- (generic-contact-centre.yaml). Written in the SQL that SQLite and PostgreSQL both accept.
-- Times are TIMESTAMPTZ: PostgreSQL stores instants; SQLite stores ISO-8601 text in UTC ("2026-01-05T10:00:00Z").
-- Lists (tags, labels) are comma-separated text, so one mapping reads both databases. JSON is text.
-- Identifiers are TEXT, as most contact-centre platforms give them (GUIDs, prefixed ids, numbers as text).
-- Files (attachments, model files) are BYTEA: PostgreSQL's binary type; SQLite keeps any blob as it is, whatever the declared type.

CREATE TABLE IF NOT EXISTS business_hours (
    hours_id        TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    time_zone       TEXT,
    weekly_schedule TEXT,
    holidays        TEXT
);

CREATE TABLE IF NOT EXISTS queues (
    queue_id          TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    description       TEXT,
    channel           TEXT,
    hours_id          TEXT REFERENCES business_hours (hours_id),
    service_level_sec INTEGER,
    created_at        TIMESTAMPTZ,
    updated_at        TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS skills (
    skill_id    TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT,
    skill_type  TEXT
);

CREATE TABLE IF NOT EXISTS agents (
    agent_id     TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    email        TEXT,
    team         TEXT,
    active       BOOLEAN,
    created_at   TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS customers (
    customer_id  TEXT PRIMARY KEY,
    display_name TEXT,
    email        TEXT,
    phone        TEXT,
    created_at   TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS contacts (
    contact_id       TEXT PRIMARY KEY,
    channel          TEXT NOT NULL,
    direction        TEXT,
    status           TEXT,
    subject          TEXT,
    started_at       TIMESTAMPTZ NOT NULL,
    ended_at         TIMESTAMPTZ,
    updated_at       TIMESTAMPTZ,
    queue_id         TEXT REFERENCES queues (queue_id),
    agent_id         TEXT REFERENCES agents (agent_id),
    customer_id      TEXT REFERENCES customers (customer_id),
    language         TEXT,
    priority         TEXT,
    wrap_up_code     TEXT,
    handle_seconds   INTEGER,
    tags             TEXT,
    external_ref     TEXT,
    csat_requested   BOOLEAN,
    wrap_up_seconds  INTEGER
);
CREATE INDEX IF NOT EXISTS contacts_started_at ON contacts (started_at);

CREATE TABLE IF NOT EXISTS contact_turns (
    turn_id      TEXT PRIMARY KEY,
    contact_id   TEXT NOT NULL REFERENCES contacts (contact_id),
    seq          INTEGER NOT NULL,
    author_role  TEXT NOT NULL,
    author_id    TEXT,
    kind         TEXT NOT NULL,
    is_public    BOOLEAN NOT NULL,
    body         TEXT,
    body_format  TEXT,
    sent_at      TIMESTAMPTZ NOT NULL,
    sentiment    DOUBLE PRECISION,
    language     TEXT
);
CREATE INDEX IF NOT EXISTS contact_turns_contact ON contact_turns (contact_id);

CREATE TABLE IF NOT EXISTS contact_participants (
    participant_id  TEXT PRIMARY KEY,
    contact_id      TEXT NOT NULL REFERENCES contacts (contact_id),
    role            TEXT NOT NULL,
    participant_ref TEXT,
    display_name    TEXT,
    joined_at       TIMESTAMPTZ,
    left_at         TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS contact_attachments (
    attachment_id TEXT PRIMARY KEY,
    contact_id    TEXT NOT NULL REFERENCES contacts (contact_id),
    turn_id       TEXT REFERENCES contact_turns (turn_id),
    kind          TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    media_type    TEXT,
    content       BYTEA,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS contact_attachments_created_at ON contact_attachments (created_at);

CREATE TABLE IF NOT EXISTS csat_responses (
    response_id TEXT PRIMARY KEY,
    contact_id  TEXT REFERENCES contacts (contact_id),
    survey_type TEXT NOT NULL,
    score       DOUBLE PRECISION,
    scale_max   DOUBLE PRECISION,
    comment     TEXT,
    answered_at TIMESTAMPTZ NOT NULL,
    channel     TEXT
);

CREATE TABLE IF NOT EXISTS kb_sections (
    section_id  TEXT PRIMARY KEY,
    parent_id   TEXT REFERENCES kb_sections (section_id),
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT,
    locale      TEXT,
    position    INTEGER,
    created_at  TIMESTAMPTZ,
    updated_at  TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS kb_articles (
    revision_id  BIGINT PRIMARY KEY,
    article_id   TEXT NOT NULL,
    locale       TEXT NOT NULL,
    version      INTEGER NOT NULL,
    title        TEXT NOT NULL,
    body         TEXT,
    body_format  TEXT,
    section_id   TEXT REFERENCES kb_sections (section_id),
    state        TEXT NOT NULL,
    labels       TEXT,
    author_id    TEXT,
    created_at   TIMESTAMPTZ,
    updated_at   TIMESTAMPTZ NOT NULL,
    published_at TIMESTAMPTZ,
    view_count   BIGINT,
    UNIQUE (article_id, locale, version)
);

CREATE TABLE IF NOT EXISTS kb_article_files (
    file_id    TEXT PRIMARY KEY,
    article_id TEXT NOT NULL,
    locale     TEXT,
    file_name  TEXT NOT NULL,
    media_type TEXT,
    content    BYTEA,
    created_at TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS routing_rules (
    rule_id    TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    rule_type  TEXT NOT NULL,
    position   INTEGER,
    active     BOOLEAN,
    conditions TEXT,
    actions    TEXT,
    queue_id   TEXT REFERENCES queues (queue_id),
    created_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ
);

-- IVR flows as the designer keeps them: the definition document (kept byte-exact as an original) and its parsed blocks.
CREATE TABLE IF NOT EXISTS ivr_flows (
    flow_id           TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    flow_type         TEXT,
    description       TEXT,
    start_block_id    TEXT,
    definition_format TEXT NOT NULL,
    definition_file   TEXT,
    definition        TEXT,
    created_at        TIMESTAMPTZ,
    updated_at        TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS ivr_flow_blocks (
    block_id   TEXT PRIMARY KEY,
    flow_id    TEXT NOT NULL REFERENCES ivr_flows (flow_id),
    block_type TEXT NOT NULL,
    label      TEXT,
    parameters TEXT
);

CREATE TABLE IF NOT EXISTS ivr_flow_transitions (
    transition_id TEXT PRIMARY KEY,
    flow_id       TEXT NOT NULL REFERENCES ivr_flows (flow_id),
    from_block_id TEXT NOT NULL REFERENCES ivr_flow_blocks (block_id),
    to_block_id   TEXT REFERENCES ivr_flow_blocks (block_id),
    branch        TEXT,
    target_kind   TEXT NOT NULL,
    target_ref    TEXT
);

-- Bots and models: the bot's export document (kept byte-exact as an original), its intents, utterances and entities, and model files.
CREATE TABLE IF NOT EXISTS bots (
    bot_id          TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    model_type      TEXT NOT NULL,
    platform        TEXT,
    version         TEXT,
    locale          TEXT,
    description     TEXT,
    owner           TEXT,
    metrics         TEXT,
    model_card      TEXT,
    definition_file TEXT,
    definition      TEXT,
    created_at      TIMESTAMPTZ,
    updated_at      TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS bot_intents (
    intent_id   TEXT PRIMARY KEY,
    bot_id      TEXT NOT NULL REFERENCES bots (bot_id),
    name        TEXT NOT NULL,
    locale      TEXT,
    description TEXT,
    responses   TEXT
);

CREATE TABLE IF NOT EXISTS bot_utterances (
    utterance_id   TEXT PRIMARY KEY,
    bot_id         TEXT NOT NULL REFERENCES bots (bot_id),
    intent_id      TEXT NOT NULL REFERENCES bot_intents (intent_id),
    locale         TEXT,
    utterance_text TEXT NOT NULL,
    annotations    TEXT
);

CREATE TABLE IF NOT EXISTS bot_entities (
    entity_id     TEXT PRIMARY KEY,
    bot_id        TEXT NOT NULL REFERENCES bots (bot_id),
    name          TEXT NOT NULL,
    entity_type   TEXT NOT NULL,
    locale        TEXT,
    entity_values TEXT
);

CREATE TABLE IF NOT EXISTS bot_model_files (
    file_id   TEXT PRIMARY KEY,
    bot_id    TEXT REFERENCES bots (bot_id),
    file_name TEXT NOT NULL,
    format    TEXT NOT NULL,
    content   BYTEA,
    opset     INTEGER,
    producer  TEXT,
    inputs    TEXT,
    outputs   TEXT
);
