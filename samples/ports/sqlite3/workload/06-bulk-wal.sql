-- A file database in WAL mode (shared memory through mmap): bulk inserts, indexes, updates,
-- a checkpoint, VACUUM, integrity checks, and a reopened database.
-- uksdk-ports: in the guest's own files. WAL needs MAP_SHARED, which a shared host directory
-- does not offer (docs/files.md); the guest runs this workload in its ramfs (compare).
.open bulk.db
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
CREATE TABLE kv(k INTEGER PRIMARY KEY, v TEXT, h INTEGER);
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
INSERT INTO kv SELECT i, printf('value-%08d', i * 37 % 100003), (i * 2654435761) % 4294967296 FROM n;
COMMIT;
CREATE INDEX kv_h ON kv(h);
CREATE INDEX kv_v ON kv(v);
SELECT count(*), sum(k), min(v), max(v), sum(h) % 1000003 FROM kv;
UPDATE kv SET v = upper(v) WHERE k % 1000 = 0;
DELETE FROM kv WHERE k % 7 = 0;
SELECT count(*), count(DISTINCT substr(v, 1, 7)) FROM kv;
SELECT k, v FROM kv WHERE h BETWEEN 1000000 AND 3000000 ORDER BY h LIMIT 5;
EXPLAIN QUERY PLAN SELECT k FROM kv WHERE h = 5;
PRAGMA wal_checkpoint(TRUNCATE);
PRAGMA integrity_check;
PRAGMA journal_mode = DELETE;
VACUUM;
SELECT page_count > 0 FROM pragma_page_count;
.open bulk.db
SELECT count(*), sum(length(v)) FROM kv;
PRAGMA quick_check;
.open --new other.db
CREATE TABLE t(x);
INSERT INTO t VALUES (1), (2);
ATTACH 'bulk.db' AS b;
SELECT (SELECT count(*) FROM b.kv) + (SELECT sum(x) FROM t);
DETACH b;
