-- Tables, constraints, joins, grouping, subqueries, views, triggers.
.headers on
.mode list
CREATE TABLE dept(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE emp(id INTEGER PRIMARY KEY, name TEXT NOT NULL, dept INTEGER REFERENCES dept(id),
                 salary REAL CHECK (salary > 0), hired TEXT);
INSERT INTO dept(name) VALUES ('kernel'), ('runtime'), ('toolchain'), ('docs');
INSERT INTO emp(name, dept, salary, hired) VALUES
  ('ada', 1, 120000, '2019-03-01'), ('bob', 1, 95000.5, '2020-11-15'), ('cyd', 2, 101000, '2018-01-31'),
  ('dee', 2, 87000.25, '2022-06-30'), ('eve', 3, 130000, '2017-09-09'), ('fay', NULL, 50000, '2023-02-28');
SELECT d.name, count(e.id) AS n, round(avg(e.salary), 2) AS avg, max(e.salary) AS top
  FROM dept d LEFT JOIN emp e ON e.dept = d.id GROUP BY d.id ORDER BY n DESC, d.name;
SELECT name FROM emp WHERE salary > (SELECT avg(salary) FROM emp) ORDER BY name;
SELECT e.name, d.name FROM emp e JOIN dept d USING (id) ORDER BY 1;
CREATE VIEW senior AS SELECT name, hired FROM emp WHERE hired < '2020-01-01';
SELECT * FROM senior ORDER BY hired;
CREATE TABLE audit(at INTEGER, what TEXT);
CREATE TRIGGER emp_raise AFTER UPDATE OF salary ON emp
  BEGIN INSERT INTO audit VALUES (new.id, old.salary || ' -> ' || new.salary); END;
UPDATE emp SET salary = salary * 1.1 WHERE dept = 2;
SELECT * FROM audit ORDER BY at;
INSERT INTO emp(name, dept, salary) VALUES ('bad', 1, -5);
INSERT INTO dept(name) VALUES ('kernel');
SELECT 'after errors', count(*) FROM emp;
BEGIN;
DELETE FROM emp WHERE dept IS NULL;
SAVEPOINT s1;
DELETE FROM emp;
ROLLBACK TO s1;
COMMIT;
SELECT count(*) AS remaining FROM emp;
SELECT name, CASE WHEN salary >= 100000 THEN 'high' WHEN salary >= 90000 THEN 'mid' ELSE 'low' END AS band
  FROM emp ORDER BY salary DESC;
SELECT group_concat(name, '|') FROM (SELECT name FROM emp ORDER BY name DESC);
SELECT name FROM emp WHERE name IN (SELECT name FROM emp WHERE dept = 1) OR name LIKE 'e%' ORDER BY name;
SELECT dept, total(salary) FROM emp GROUP BY dept HAVING count(*) > 1 ORDER BY dept;
SELECT * FROM emp WHERE hired BETWEEN '2019-01-01' AND '2021-12-31' ORDER BY hired LIMIT 1 OFFSET 1;
