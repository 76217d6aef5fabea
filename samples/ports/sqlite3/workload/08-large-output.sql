-- About 200 KB of output: many rows through the console.
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000)
SELECT i, i * i, printf('%08x', i * 2654435761 % 4294967296), substr('abcdefghijklmnopqrstuvwxyz', 1 + i % 26), round(i / 7.0, 4)
  FROM n;
