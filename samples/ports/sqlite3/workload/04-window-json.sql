-- Window functions, aggregates, JSON and generate_series.
.mode box
CREATE TABLE sales(region TEXT, month INTEGER, amount INTEGER);
INSERT INTO sales SELECT CASE value % 3 WHEN 0 THEN 'north' WHEN 1 THEN 'south' ELSE 'west' END,
                         1 + value % 12, (value * 7919) % 1000 FROM generate_series(1, 60);
SELECT region, month, amount,
       sum(amount) OVER (PARTITION BY region ORDER BY month ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running,
       rank() OVER (PARTITION BY region ORDER BY amount DESC) AS rnk,
       round(avg(amount) OVER (PARTITION BY region ORDER BY month ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING), 2) AS smooth,
       lag(amount) OVER (PARTITION BY region ORDER BY month, amount) AS prev,
       ntile(4) OVER (ORDER BY amount, region, month) AS quartile
  FROM sales WHERE month <= 3 ORDER BY region, month, amount;
SELECT region, group_concat(amount, ',') FILTER (WHERE amount > 500), count(*), sum(amount), min(amount), max(amount)
  FROM sales GROUP BY region ORDER BY region;
SELECT month, first_value(region) OVER w, last_value(amount) OVER w, nth_value(amount, 2) OVER w,
       dense_rank() OVER w, percent_rank() OVER w, cume_dist() OVER w, row_number() OVER w
  FROM sales WINDOW w AS (ORDER BY month, amount, region) ORDER BY month, amount, region LIMIT 12;
.mode list
SELECT json('{"a": 1, "b": [1, 2, {"c": null}], "d": "x\u00e9"}');
SELECT json_extract('{"a": {"b": [10, 20, 30]}}', '$.a.b[1]'), '{"x": 5}' -> '$.x', '{"x": "s"}' ->> '$.x';
SELECT json_object('k', 1, 'arr', json_array(1, 2.5, 'three', NULL)), json_array_length('[1,2,3,4]');
SELECT json_insert('{"a":1}', '$.b', 2), json_replace('{"a":1}', '$.a', 'z'), json_set('{"a":1}', '$.c[0]', 9),
       json_remove('[0,1,2,3]', '$[1]', '$[1]'), json_patch('{"a":1,"b":2}', '{"b":null,"c":3}'),
       json_type('{"a":[1]}', '$.a'), json_valid('{"a":'), json_quote('it"s');
SELECT key, value, type, path FROM json_each('{"x": 1, "y": [2, 3], "z": {"w": true}}');
SELECT fullkey, atom FROM json_tree('{"x": [1, {"y": 2}]}') WHERE atom IS NOT NULL;
SELECT json_group_array(region), json_group_object(region, total) FROM
  (SELECT region, sum(amount) AS total FROM sales GROUP BY region ORDER BY region);
SELECT sum(value), count(*), group_concat(value) FROM generate_series(0, 100, 7);
