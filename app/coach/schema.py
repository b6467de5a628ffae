"""The history database's schema, as an ordered list of migrations.

``MIGRATIONS[k]`` takes a database at version ``k`` to ``k + 1`` (``PRAGMA user_version``).
Never edit a released step: add a new one, and a test that upgrades a database written at
every earlier version keeps the old rows readable.

Times are local ISO-8601 strings with their UTC offset (``2026-11-25T19:03:12+01:00``), so
the first ten characters are the day the person trained on. Times inside a set (``start_s``,
``t_s``) are seconds from the set's first frame, as in the JSON report.
"""

from __future__ import annotations

V1 = """
CREATE TABLE profiles (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE TABLE sessions (
    id          INTEGER PRIMARY KEY,
    profile_id  INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    started_at  TEXT NOT NULL,
    ended_at    TEXT,               -- NULL: still running, or the process died
    end_reason  TEXT
);
CREATE TABLE sets (
    id           INTEGER PRIMARY KEY,
    session_id   INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    exercise     TEXT NOT NULL,     -- the fixed ids of PRODUCT.md
    started_at   TEXT NOT NULL,
    ended_at     TEXT,
    target_reps  INTEGER            -- per side for unilateral exercises
);
CREATE TABLE reps (
    id              INTEGER PRIMARY KEY,
    set_id          INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE,
    idx             INTEGER NOT NULL,
    side            TEXT CHECK (side IN ('left', 'right')),
    start_s         REAL NOT NULL,
    end_s           REAL NOT NULL,
    peak_angle_deg  REAL,
    hold_s          REAL,
    faults          TEXT NOT NULL DEFAULT '[]',   -- JSON list of fault codes
    recorded_at     TEXT NOT NULL,
    UNIQUE (set_id, idx)
);
CREATE TABLE pain_scores (
    id           INTEGER PRIMARY KEY,
    session_id   INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    moment       TEXT NOT NULL CHECK (moment IN ('before', 'after', 'sharp')),
    score        INTEGER CHECK (score BETWEEN 0 AND 10),   -- NULL for a sharp-pain stop
    recorded_at  TEXT NOT NULL
);
CREATE TABLE screenings (
    id           INTEGER PRIMARY KEY,
    profile_id   INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    answered_at  TEXT NOT NULL,
    answers      TEXT NOT NULL,     -- JSON {question id: true/false}
    any_yes      INTEGER NOT NULL
);
CREATE INDEX sessions_by_profile ON sessions (profile_id, started_at);
CREATE INDEX sets_by_session ON sets (session_id);
"""

# v2: faults get their own rows with the time they were raised (the report's timeline), and
# "why I'm not counting" spans are kept. Old reps' fault lists become rows at the rep's end.
V2 = """
CREATE TABLE faults (
    id       INTEGER PRIMARY KEY,
    set_id   INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE,
    code     TEXT NOT NULL,
    rep_idx  INTEGER,
    t_s      REAL NOT NULL,
    cue      TEXT NOT NULL DEFAULT ''
);
INSERT INTO faults (set_id, code, rep_idx, t_s)
    SELECT reps.set_id, je.value, reps.idx, reps.end_s FROM reps, json_each(reps.faults) AS je;
CREATE TABLE status_spans (
    id       INTEGER PRIMARY KEY,
    set_id   INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE,
    code     TEXT NOT NULL,
    start_s  REAL NOT NULL,
    end_s    REAL
);
CREATE INDEX faults_by_set ON faults (set_id);
CREATE INDEX reps_by_set ON reps (set_id);
"""

# v3: coaching settings per profile (routine, strictness, overrides, video recording: JSON),
# personal calibration per exercise, and what each set was judged with and how it ended.
V3 = """
ALTER TABLE profiles ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
CREATE TABLE calibrations (
    profile_id   INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    exercise     TEXT NOT NULL,
    rest_deg     REAL,
    peak_deg     REAL NOT NULL,     -- the person's own comfortable peak, natural units
    measured_at  TEXT NOT NULL,
    PRIMARY KEY (profile_id, exercise)
);
ALTER TABLE sets ADD COLUMN strictness TEXT NOT NULL DEFAULT 'standard';
ALTER TABLE sets ADD COLUMN end_reason TEXT;     -- 'done', 'stopped', 'pain', 'interrupted', ...
ALTER TABLE pain_scores ADD COLUMN exercise TEXT;  -- the exercise a sharp-pain stop happened in
"""

# v4: a "yes" in the screening stops exercise until the person confirms, on a later day, that a
# doctor has seen them or that the sign has gone. Each screening keeps the signs that stopped
# exercise (older rows: every "yes", as they were then advised); each confirmation is a row.
V4 = """
ALTER TABLE screenings ADD COLUMN blocks TEXT NOT NULL DEFAULT '[]';   -- JSON list of question ids
UPDATE screenings SET blocks = (SELECT json_group_array(je.key) FROM json_each(screenings.answers) AS je
                                WHERE je.type = 'true') WHERE any_yes;
CREATE TABLE safety_clearances (
    id            INTEGER PRIMARY KEY,
    profile_id    INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    screening_id  INTEGER REFERENCES screenings(id) ON DELETE SET NULL,   -- the "yes" it lifts
    cleared_at    TEXT NOT NULL,
    reason        TEXT NOT NULL CHECK (reason IN ('doctor', 'gone')),
    signs         TEXT NOT NULL DEFAULT '[]'   -- JSON list of the question ids it was for
);
CREATE INDEX clearances_by_profile ON safety_clearances (profile_id, cleared_at);
"""

MIGRATIONS: tuple[str, ...] = (V1, V2, V3, V4)
SCHEMA_VERSION = len(MIGRATIONS)
