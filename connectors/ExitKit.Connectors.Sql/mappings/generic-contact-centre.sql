-- The generic contact-centre schema: a typical vendor database, the shape ExitKit's `sql` connector maps by default
-- (generic-contact-centre.yaml). Written in the SQL that SQLite and PostgreSQL both accept.
-- Times are TIMESTAMPTZ: PostgreSQL stores instants; SQLite stores ISO-8601 text in UTC ("2026-01-05T10:00:00Z").
-- Lists (tags, labels) are comma-separated text, so one mapping reads both databases.

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
    contact_id       BIGINT PRIMARY KEY,
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
    external_ref     TEXT
);
CREATE INDEX IF NOT EXISTS contacts_started_at ON contacts (started_at);

CREATE TABLE IF NOT EXISTS contact_turns (
    turn_id      BIGINT PRIMARY KEY,
    contact_id   BIGINT NOT NULL REFERENCES contacts (contact_id),
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
    participant_id  BIGINT PRIMARY KEY,
    contact_id      BIGINT NOT NULL REFERENCES contacts (contact_id),
    role            TEXT NOT NULL,
    participant_ref TEXT,
    display_name    TEXT,
    joined_at       TIMESTAMPTZ,
    left_at         TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS csat_responses (
    response_id BIGINT PRIMARY KEY,
    contact_id  BIGINT REFERENCES contacts (contact_id),
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
