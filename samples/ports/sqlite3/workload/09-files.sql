-- The shell writing and reading files in its working directory (the guest's is the host's,
-- shared): .once, .import, .read, .backup, .restore, writefile() and readfile().
CREATE TABLE src(id INTEGER PRIMARY KEY, word TEXT, n REAL);
INSERT INTO src(word, n) SELECT 'w' || value, value / 4.0 FROM generate_series(1, 500);
.headers on
.mode csv
.once export.csv
SELECT * FROM src;
.headers off
.mode list
.import --csv export.csv imported
SELECT count(*), sum(n), max(word) FROM imported;
.once script.sql
SELECT 'SELECT ' || value || ' * 3;' FROM generate_series(1, 5);
.read script.sql
.backup copy.db
DELETE FROM src;
.restore copy.db
SELECT count(*) FROM src;
SELECT writefile('blob.bin', randomblob(10000)) = 10000;
SELECT length(readfile('blob.bin')), length(readfile('export.csv')) > 5000;
.output out.txt
SELECT 'to a file';
.output
SELECT readfile('out.txt');
