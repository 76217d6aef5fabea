-- UPSERT, RETURNING, generated columns, STRICT and WITHOUT ROWID tables, partial and expression
-- indexes, foreign keys with cascades, ANALYZE, introspection pragmas.
PRAGMA foreign_keys = ON;
CREATE TABLE account(id INTEGER PRIMARY KEY, email TEXT UNIQUE COLLATE NOCASE, balance INTEGER NOT NULL DEFAULT 0,
                     cents INTEGER GENERATED ALWAYS AS (balance * 100) VIRTUAL, tag TEXT AS (upper(substr(email, 1, 3))) STORED) STRICT;
CREATE TABLE entry(id INTEGER PRIMARY KEY, account INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE, amount INTEGER);
INSERT INTO account(email, balance) VALUES ('ann@x', 10), ('ben@x', 20) RETURNING id, email, cents, tag;
INSERT INTO account(email, balance) VALUES ('ANN@x', 5) ON CONFLICT(email) DO UPDATE SET balance = balance + excluded.balance
  RETURNING id, balance;
INSERT INTO account(email, balance) VALUES ('cat@x', 'not a number');
INSERT INTO entry(account, amount) SELECT 1 + value % 2, value FROM generate_series(1, 10);
INSERT INTO entry(account, amount) VALUES (99, 1);
DELETE FROM account WHERE id = 2 RETURNING email;
SELECT count(*), sum(amount) FROM entry;
UPDATE account SET balance = balance * 3 WHERE id = 1 RETURNING balance, cents;
CREATE TABLE kv(k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID;
INSERT INTO kv VALUES ('b', x'02'), ('a', x'01'), ('c', NULL);
SELECT k, hex(v) FROM kv;
CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT, price REAL, deleted INTEGER DEFAULT 0);
INSERT INTO item(name, price, deleted) SELECT 'item' || value, value * 1.25, value % 5 = 0 FROM generate_series(1, 300);
CREATE INDEX item_live ON item(price) WHERE deleted = 0;
CREATE INDEX item_lname ON item(lower(name));
ANALYZE;
SELECT tbl, idx, stat FROM sqlite_stat1 ORDER BY tbl, idx;
EXPLAIN QUERY PLAN SELECT id FROM item WHERE price > 100 AND deleted = 0;
EXPLAIN QUERY PLAN SELECT id FROM item WHERE lower(name) = 'item7';
SELECT * FROM pragma_table_info('account');
SELECT * FROM pragma_table_xinfo('account') WHERE hidden > 0;
SELECT * FROM pragma_index_list('item') ORDER BY name;
SELECT * FROM pragma_foreign_key_list('entry');
PRAGMA foreign_key_check;
SELECT type, name, tbl_name FROM sqlite_schema ORDER BY type, name;
