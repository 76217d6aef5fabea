-- The shell's own commands and output modes.
CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, score REAL, note TEXT);
INSERT INTO t VALUES (1, 'alpha', 1.5, NULL), (2, 'beta', -2, 'has,comma'), (3, 'gamma "g"', 1e10, 'two
lines'), (4, 'δέλτα', 0.125, '');
.tables
.schema t
.headers on
.mode csv
SELECT * FROM t;
.mode json
SELECT * FROM t;
.mode markdown
SELECT * FROM t;
.mode table
SELECT id, name, score FROM t;
.mode line
SELECT * FROM t WHERE id = 2;
.mode tabs
SELECT * FROM t;
.mode html
SELECT id, name FROM t WHERE id < 3;
.mode insert t2
SELECT * FROM t;
.mode quote
SELECT * FROM t;
.mode column
.width 4 12 -8
SELECT id, name, score FROM t;
.nullvalue <null>
.mode list
.separator " | "
SELECT * FROM t;
.print a printed line
.headers off
.mode list
.separator |
CREATE INDEX t_name ON t(name);
.indexes t
.dump t
.changes on
UPDATE t SET score = score * 2;
.changes off
.eqp on
SELECT name FROM t WHERE name = 'beta';
.eqp off
.bail off
SELECT * FROM missing_table;
SELEC 1;
SELECT 'still running';
.unknown-command
.parameter set @x 42
SELECT @x + 1;
.echo on
SELECT 'echoed';
.echo off
