-- Scalar functions: text, numbers, blobs, dates (fixed times only), printf, types.
.mode line
SELECT upper('uksdk'), lower('UKSDK'), length('héllo'), length(x'00ff'), substr('unikernel', 4, 3),
       replace('a-b-c', '-', '+'), trim('  x  '), ltrim('xxy', 'x'), instr('abcabc', 'ca'),
       hex('é'), unicode('é'), char(72, 105), quote('it''s'), quote(x'0102'), typeof(1), typeof(1.5),
       typeof('1'), typeof(x'01'), typeof(NULL), 'abc' LIKE 'A%', 'abc' GLOB 'A*', nullif(1, 1),
       coalesce(NULL, NULL, 'third'), ifnull(NULL, 7), iif(3 > 2, 'yes', 'no');
.mode list
SELECT printf('%d|%5d|%-5d|%05d|%x|%X|%o|%c', 42, 42, 42, 42, 255, 255, 8, 'z');
SELECT printf('%.3f|%10.2e|%g|%g|%g|%.15g|%!.20g', 3.14159265, 12345.678, 1e100, 0.0001, 100000000.0, 0.1, 0.1);
SELECT printf('%s|%10s|%-10s|%.2s|%q|%Q|%w|%%', 'abc', 'abc', 'abc', 'abc', 'a''b', NULL, 'x"y');
SELECT printf('%,d', 1234567890), format('%z', 'abc'), printf('%lld', 9223372036854775807);
SELECT 1/3, 1.0/3, 7 % 3, -7 % 3, 7 / -2, 2.5 * 4, 1e308 * 10, -1e308 * 10, 9223372036854775807 + 1;
SELECT abs(-5), abs(-5.5), round(2.5), round(-2.5), round(3.14159, 3), max(1, 'a', 2.5), min(3, 1, 2),
       sign(-3), sign(0.0), CAST('12abc' AS INTEGER), CAST(3.99 AS INTEGER), CAST('1e3' AS REAL), CAST(12 AS TEXT);
SELECT 0.1 + 0.2, 1e-7, 123456789012345678, 1.5e300 * 1.5e10, 4.0 / 0, 0.0 / 0, 100.0, 2e0, -0.0;
SELECT round(sqrt(2), 12), round(exp(1), 12), round(ln(10), 12), round(log10(2), 12), round(log2(10), 12),
       round(pow(2, 0.5), 12), round(sin(1), 12), round(cos(1), 12), round(atan2(1, 1) * 4, 12),
       ceil(1.2), floor(-1.2), trunc(-1.7), mod(10, 3), pi() = 3.141592653589793, degrees(pi()), radians(180) = pi();
SELECT date('2024-02-28', '+1 day'), date('2023-02-28', '+1 day'), datetime('2000-01-01 12:34:56', '+90 minutes'),
       date('2024-03-31', 'start of month', '-1 month'), strftime('%Y-%j %W %w %H:%M:%f %s', '2021-07-04 05:06:07.089'),
       julianday('2000-01-01T12:00:00Z'), unixepoch('1970-01-02'), datetime(1700000000, 'unixepoch'),
       time('23:59:59', '+1 second'), date('2024-01-31', '+1 month'), datetime('2016-06-13T12:00:00+02:00');
SELECT zeroblob(4) = x'00000000', length(randomblob(16)), hex(CAST('abc' AS BLOB)), x'414243' = 'ABC', CAST(x'414243' AS TEXT);
SELECT 'a' < 'b', 'a' < 'B', 'a' < 'B' COLLATE NOCASE, 10 < '9', '10' < '9', NULL = NULL, NULL IS NULL, 1 IS NOT 2;
SELECT soundex('Robert'), soundex('Rupert'), likely(1), unlikely(0), changes(), total_changes(), sqlite_version();
SELECT hex(sha3('abc')), hex(sha3('abc', 384)), sha3_query('SELECT 1, 2, ''x''') IS NOT NULL;
SELECT decimal_add('0.1', '0.2'), decimal_mul('1.25', '-4'), decimal_cmp('1.10', '1.1'), ieee754(2.5), ieee754(5, -1);
