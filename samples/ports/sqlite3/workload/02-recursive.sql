-- Recursive CTEs: series, Fibonacci, a Mandelbrot set and a Sudoku, from SQLite's documentation.
WITH RECURSIVE cnt(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM cnt WHERE x < 20) SELECT group_concat(x) FROM cnt;
WITH RECURSIVE fib(n, a, b) AS (SELECT 1, 0, 1 UNION ALL SELECT n + 1, b, a + b FROM fib WHERE n < 90)
  SELECT n, a FROM fib WHERE n % 10 = 0;
WITH RECURSIVE
  xaxis(x) AS (VALUES(-2.0) UNION ALL SELECT x + 0.05 FROM xaxis WHERE x < 1.2),
  yaxis(y) AS (VALUES(-1.0) UNION ALL SELECT y + 0.1 FROM yaxis WHERE y < 1.0),
  m(iter, cx, cy, x, y) AS (
    SELECT 0, x, y, 0.0, 0.0 FROM xaxis, yaxis
    UNION ALL
    SELECT iter + 1, cx, cy, x * x - y * y + cx, 2.0 * x * y + cy FROM m
     WHERE (x * x + y * y) < 4.0 AND iter < 28),
  m2(iter, cx, cy) AS (SELECT max(iter), cx, cy FROM m GROUP BY cx, cy),
  a(t) AS (SELECT group_concat(substr(' .+*#', 1 + min(iter / 7, 4), 1), '') FROM m2 GROUP BY cy)
SELECT group_concat(rtrim(t), x'0a') FROM a;
WITH RECURSIVE
  input(sud) AS (VALUES('53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79')),
  digits(z, lp) AS (VALUES('1', 1) UNION ALL SELECT CAST(lp + 1 AS TEXT), lp + 1 FROM digits WHERE lp < 9),
  x(s, ind) AS (
    SELECT sud, instr(sud, '.') FROM input
    UNION ALL
    SELECT substr(s, 1, ind - 1) || z || substr(s, ind + 1), instr(substr(s, 1, ind - 1) || z || substr(s, ind + 1), '.')
      FROM x, digits AS z
     WHERE ind > 0
       AND NOT EXISTS (
             SELECT 1 FROM digits AS lp
              WHERE z.z = substr(s, ((ind - 1) / 9) * 9 + lp, 1)
                 OR z.z = substr(s, ((ind - 1) % 9) + (lp - 1) * 9 + 1, 1)
                 OR z.z = substr(s, (((ind - 1) / 3) % 3) * 3 + ((ind - 1) / 27) * 27 + lp
                                    + ((lp - 1) / 3) * 6, 1)))
SELECT s FROM x WHERE ind = 0;
CREATE TABLE tree(id INTEGER PRIMARY KEY, parent INTEGER, name TEXT);
INSERT INTO tree VALUES (1, NULL, '/'), (2, 1, 'usr'), (3, 2, 'lib'), (4, 2, 'include'), (5, 1, 'tmp'), (6, 3, 'libc.a');
WITH RECURSIVE path(id, p, depth) AS (SELECT id, name, 0 FROM tree WHERE parent IS NULL
  UNION ALL SELECT t.id, path.p || CASE WHEN path.p = '/' THEN '' ELSE '/' END || t.name, depth + 1
  FROM tree t JOIN path ON t.parent = path.id ORDER BY 2)
SELECT depth, p FROM path;
