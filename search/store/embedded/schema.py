"""The catalog's tables: articles, passages (keyed by a rowid never reused) and the removal log."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    outlet TEXT,
    outlet_key TEXT,
    url TEXT,
    published_at TEXT,
    published_ts INTEGER,
    author TEXT,
    author_key TEXT,
    language TEXT,
    language_key TEXT,
    cluster_id TEXT
);
CREATE INDEX IF NOT EXISTS articles_outlet ON articles (outlet_key);
-- Outlet names as written: listing them reads this index, not every article's row (and body).
CREATE INDEX IF NOT EXISTS articles_outlet_name ON articles (outlet);
CREATE INDEX IF NOT EXISTS articles_published ON articles (published_ts);
-- AUTOINCREMENT: a row number is never reused, because the indexes key passages by it.
CREATE TABLE IF NOT EXISTS passages (
    rowid INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    passage_index INTEGER NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    text TEXT NOT NULL,
    terms TEXT NOT NULL,
    embedding BLOB NOT NULL,
    -- search.sentence_layout; NULL in rows written before it was stored.
    sentence_layout TEXT
);
CREATE INDEX IF NOT EXISTS passages_article ON passages (article_id);
-- Passages removed by each generation, so any process can bring a derived index level by
-- replaying what changed since its checkpoint (added passages are the rowids above it).
CREATE TABLE IF NOT EXISTS removed_passages (
    rowid INTEGER PRIMARY KEY,
    generation INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS removed_passages_generation ON removed_passages (generation);
"""
