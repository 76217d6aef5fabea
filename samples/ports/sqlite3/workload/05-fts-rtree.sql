-- Full-text search (FTS4, FTS5) and R-tree indexes.
CREATE VIRTUAL TABLE docs USING fts5(title, body);
INSERT INTO docs VALUES
  ('unikernels', 'a unikernel is a single program linked with the kernel it runs on'),
  ('qemu', 'qemu emulates a machine; with tcg it translates the guest code'),
  ('sqlite', 'sqlite is a small fast self contained sql database engine'),
  ('leveldb', 'leveldb is a fast key value storage library written at google'),
  ('zlib', 'zlib is a general purpose data compression library');
SELECT title FROM docs WHERE docs MATCH 'fast' ORDER BY rank;
SELECT title, snippet(docs, 1, '[', ']', '...', 4) FROM docs WHERE docs MATCH 'library OR kernel' ORDER BY rank;
SELECT title, highlight(docs, 1, '<', '>') FROM docs WHERE docs MATCH 'tcg';
SELECT title FROM docs WHERE docs MATCH 'title:sq*';
SELECT title FROM docs WHERE docs MATCH 'NEAR(small sql, 3)';
SELECT count(*) FROM docs WHERE docs MATCH 'a NOT the';
CREATE VIRTUAL TABLE old USING fts4(content, tokenize=porter);
INSERT INTO old VALUES ('running runners ran'), ('the quick brown fox jumps'), ('jumping over lazy dogs');
SELECT content FROM old WHERE old MATCH 'run';
SELECT content, offsets(old) FROM old WHERE old MATCH 'jump';
SELECT content FROM old WHERE old MATCH 'quick AND fox';
CREATE VIRTUAL TABLE boxes USING rtree(id, minx, maxx, miny, maxy);
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 399)
INSERT INTO boxes SELECT i, (i % 20) * 10, (i % 20) * 10 + 5, (i / 20) * 10, (i / 20) * 10 + 5 FROM n;
SELECT count(*) FROM boxes WHERE minx >= 50 AND maxx <= 105 AND miny >= 0 AND maxy <= 45;
SELECT id FROM boxes WHERE minx <= 102 AND maxx >= 102 AND miny <= 33 AND maxy >= 33;
SELECT id, minx, maxy FROM boxes WHERE id IN (0, 199, 399) ORDER BY id;
