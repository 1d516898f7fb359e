-- TPC-H-shaped test data, mesh "sales": orders, lineitem.
-- Portable: runs unchanged on SQLite 3.40+ (sqlite3 sales.db < sales.sql) and PostgreSQL
-- 15+ (psql -v ON_ERROR_STOP=1 -f sales.sql, into schema sales via search_path), and both
-- produce identical rows. See README.md for the rules every value follows.
--
-- Everything is computed with integers (day numbers, cents, percents) in three temporary
-- tables, then formatted into the real tables:
--   tpch_cal    day number 0..2556 -> DATE 1992-01-01..1998-12-31. The text 'YYYY-MM-DD'
--               is built with integer arithmetic and passed through date(), which is a
--               function returning that same text in SQLite and a cast to DATE in PostgreSQL.
--   tpch_ord    600 orders: customer (never a multiple of 3, so a third of the customers
--               have no orders), order day 0..2405 (up to 1998-08-02), priority, clerk,
--               comment, 1..7 lines.
--   tpch_line   the lines: part, which of the part's 4 suppliers, quantity 1..50,
--               discount 0..10 %, tax 0..8 %, ship = order + 1..121 days,
--               commit = order + 30..90, receipt = ship + 1..30, instruction, mode.
-- Derived as in TPC-H: l_suppkey and l_extendedprice = quantity * p_retailprice from the
-- formulas in supply.sql; l_returnflag R/A when received by 1995-06-17 (day 1263), else N;
-- l_linestatus O when shipped after 1995-06-17, else F; o_orderstatus F/O/P from the line
-- statuses; o_totalprice = sum(extendedprice * (1 + tax) * (1 - discount)) rounded to cents
-- (computed in integers, so both engines round identically).
-- Hash: see crm.sql. The UPDATEs on tpch_ord and tpch_line pin a few lines for q07, q08,
-- q17, q18, q19 and q20.

BEGIN;

DROP TABLE IF EXISTS lineitem;
DROP TABLE IF EXISTS orders;
DROP TABLE IF EXISTS tpch_cal;
DROP TABLE IF EXISTS tpch_ord;
DROP TABLE IF EXISTS tpch_line;

CREATE TABLE orders (
  o_orderkey      INTEGER       NOT NULL PRIMARY KEY,
  o_custkey       INTEGER       NOT NULL,
  o_orderstatus   VARCHAR(1)    NOT NULL,
  o_totalprice    DECIMAL(15,2) NOT NULL,
  o_orderdate     DATE          NOT NULL,
  o_orderpriority VARCHAR(15)   NOT NULL,
  o_clerk         VARCHAR(15)   NOT NULL,
  o_shippriority  INTEGER       NOT NULL,
  o_comment       VARCHAR(79)   NOT NULL
);

CREATE TABLE lineitem (
  l_orderkey      INTEGER       NOT NULL REFERENCES orders (o_orderkey),
  l_partkey       INTEGER       NOT NULL,
  l_suppkey       INTEGER       NOT NULL,
  l_linenumber    INTEGER       NOT NULL,
  l_quantity      DECIMAL(15,2) NOT NULL,
  l_extendedprice DECIMAL(15,2) NOT NULL,
  l_discount      DECIMAL(15,2) NOT NULL,
  l_tax           DECIMAL(15,2) NOT NULL,
  l_returnflag    VARCHAR(1)    NOT NULL,
  l_linestatus    VARCHAR(1)    NOT NULL,
  l_shipdate      DATE          NOT NULL,
  l_commitdate    DATE          NOT NULL,
  l_receiptdate   DATE          NOT NULL,
  l_shipinstruct  VARCHAR(25)   NOT NULL,
  l_shipmode      VARCHAR(10)   NOT NULL,
  l_comment       VARCHAR(44)   NOT NULL,
  PRIMARY KEY (l_orderkey, l_linenumber)
);

-- Scratch tables (dropped at the end).
CREATE TABLE tpch_cal (
  dn INTEGER NOT NULL PRIMARY KEY,
  d  DATE    NOT NULL
);

CREATE TABLE tpch_ord (
  orderkey INTEGER NOT NULL PRIMARY KEY,
  custkey  INTEGER NOT NULL,
  odate    INTEGER NOT NULL,
  prio     INTEGER NOT NULL,
  clerk    INTEGER NOT NULL,
  cmt1     INTEGER NOT NULL,
  cmt2     INTEGER NOT NULL,
  cmt3     INTEGER NOT NULL,
  nlines   INTEGER NOT NULL
);

CREATE TABLE tpch_line (
  orderkey INTEGER NOT NULL,
  ln       INTEGER NOT NULL,
  partkey  INTEGER NOT NULL,
  suppi    INTEGER NOT NULL,
  qty      INTEGER NOT NULL,
  disc     INTEGER NOT NULL,
  tax      INTEGER NOT NULL,
  shipd    INTEGER NOT NULL,
  commitd  INTEGER NOT NULL,
  receiptd INTEGER NOT NULL,
  instr    INTEGER NOT NULL,
  mode     INTEGER NOT NULL,
  rflag    INTEGER NOT NULL,
  cmt1     INTEGER NOT NULL,
  cmt2     INTEGER NOT NULL,
  PRIMARY KEY (orderkey, ln)
);

INSERT INTO tpch_cal (dn, d)
WITH RECURSIVE yr(y) AS (
  SELECT 1992 UNION ALL SELECT y + 1 FROM yr WHERE y < 1998
),
mo(m) AS (
  SELECT 1 UNION ALL SELECT m + 1 FROM mo WHERE m < 12
),
dy(dd) AS (
  SELECT 1 UNION ALL SELECT dd + 1 FROM dy WHERE dd < 31
),
valid AS (
  SELECT y, m, dd FROM yr, mo, dy
  WHERE dd <= CASE WHEN m = 2 THEN CASE WHEN y % 4 = 0 THEN 29 ELSE 28 END
                   WHEN m IN (4, 6, 9, 11) THEN 30
                   ELSE 31 END
)
SELECT
  ROW_NUMBER() OVER (ORDER BY y, m, dd) - 1,
  date(CAST(y AS TEXT) || '-' || CASE WHEN m < 10 THEN '0' ELSE '' END || CAST(m AS TEXT)
       || '-' || CASE WHEN dd < 10 THEN '0' ELSE '' END || CAST(dd AS TEXT))
FROM valid;

INSERT INTO tpch_ord (orderkey, custkey, odate, prio, clerk, cmt1, cmt2, cmt3, nlines)
WITH RECURSIVE g(n) AS (
  SELECT CAST(1 AS BIGINT)
  UNION ALL
  SELECT n + 1 FROM g WHERE n < 600
),
h AS (
  SELECT n, (n * 7919 + 505) % 1000003 AS x, (n * 104729 + 71) % 1000003 AS y FROM g
),
r AS (
  SELECT n,
         (x * (y + 7) + 131) % 1000003 AS r1,
         (x * (y + 14) + 524) % 1000003 AS r2,
         (x * (y + 21) + 1179) % 1000003 AS r3,
         (x * (y + 28) + 2096) % 1000003 AS r4,
         (x * (y + 35) + 3275) % 1000003 AS r5,
         (x * (y + 42) + 4716) % 1000003 AS r6,
         (x * (y + 49) + 6419) % 1000003 AS r7,
         (x * (y + 56) + 8384) % 1000003 AS r8
  FROM h
)
SELECT
  n,
  CASE WHEN (r1 % 150 + 1) % 3 = 0 THEN r1 % 150 ELSE r1 % 150 + 1 END,
  r2 % 2406,
  r3 % 5,
  r4 % 20 + 1,
  r5 % 9,
  r6 % 8,
  r7 % 8,
  r8 % 7 + 1
FROM r;

-- q18 needs orders of more than 300 units: orders 100, 300 and 500 get 7 lines.
UPDATE tpch_ord SET nlines = 7 WHERE orderkey IN (100, 300, 500);

INSERT INTO tpch_line (orderkey, ln, partkey, suppi, qty, disc, tax, shipd, commitd, receiptd,
                       instr, mode, rflag, cmt1, cmt2)
WITH RECURSIVE lines(ln) AS (
  SELECT CAST(1 AS BIGINT) UNION ALL SELECT ln + 1 FROM lines WHERE ln < 7
),
k AS (
  SELECT o.orderkey, l.ln, o.odate, o.orderkey * 8 + l.ln AS n
  FROM tpch_ord o, lines l
  WHERE l.ln <= o.nlines
),
h AS (
  SELECT orderkey, ln, odate, (n * 7919 + 606) % 1000003 AS x, (n * 104729 + 71) % 1000003 AS y FROM k
),
r AS (
  SELECT orderkey, ln, odate,
         (x * (y + 7) + 131) % 1000003 AS r1,
         (x * (y + 14) + 524) % 1000003 AS r2,
         (x * (y + 21) + 1179) % 1000003 AS r3,
         (x * (y + 28) + 2096) % 1000003 AS r4,
         (x * (y + 35) + 3275) % 1000003 AS r5,
         (x * (y + 42) + 4716) % 1000003 AS r6,
         (x * (y + 49) + 6419) % 1000003 AS r7,
         (x * (y + 56) + 8384) % 1000003 AS r8,
         (x * (y + 63) + 10611) % 1000003 AS r9,
         (x * (y + 70) + 13100) % 1000003 AS r10,
         (x * (y + 77) + 15851) % 1000003 AS r11,
         (x * (y + 84) + 18864) % 1000003 AS r12,
         (x * (y + 91) + 22139) % 1000003 AS r13
  FROM h
),
s AS (
  SELECT orderkey, ln, r1, r2, r3, r4, r5, r9, r10, r11, r12, r13,
         odate + r6 % 121 + 1 AS shipd,
         odate + r7 % 61 + 30 AS commitd,
         r8
  FROM r
)
SELECT orderkey, ln,
       r1 % 200 + 1,
       r2 % 4,
       r3 % 50 + 1,
       r4 % 11,
       r5 % 9,
       shipd,
       commitd,
       shipd + r8 % 30 + 1,
       r9 % 4,
       r10 % 7,
       r11 % 2,
       r12 % 8,
       r13 % 6
FROM s;

-- Pinned lines, so that the queries' selective predicates find rows (part attributes are
-- pinned to match in supply.sql). Line 1 exists in every order.
-- q07: FRANCE <-> GERMANY in both years: part 6 from supplier 7 (FRANCE) to German
--      customers in orders 47 (shipped 1995) and 66 (1996); part 7 from supplier 8 (GERMANY)
--      to French customers in orders 64 (1995) and 205 (1996).
UPDATE tpch_line SET partkey = 6, suppi = 0 WHERE orderkey IN (47, 66) AND ln = 1;
UPDATE tpch_line SET partkey = 7, suppi = 0 WHERE orderkey IN (64, 205) AND ln = 1;
-- q17: part 23 (Brand#23, MED BOX) in line 1 of orders 11, 22, 33, 44, 55 with quantities
--      1, 30, 40, 45, 50: the quantity-1 line is below 0.2 * the part's average.
UPDATE tpch_line SET partkey = 23, qty = 1 WHERE orderkey = 11 AND ln = 1;
UPDATE tpch_line SET partkey = 23, qty = 30 WHERE orderkey = 22 AND ln = 1;
UPDATE tpch_line SET partkey = 23, qty = 40 WHERE orderkey = 33 AND ln = 1;
UPDATE tpch_line SET partkey = 23, qty = 45 WHERE orderkey = 44 AND ln = 1;
UPDATE tpch_line SET partkey = 23, qty = 50 WHERE orderkey = 55 AND ln = 1;
-- q18: orders 100, 300, 500 have 7 lines (see above) of quantity 44..50, 329 in all (> 300).
UPDATE tpch_line SET qty = 43 + ln WHERE orderkey IN (100, 300, 500);
-- q19: one line per OR branch, shipped by AIR, DELIVER IN PERSON: part 12 (Brand#12,
--      SM PKG, size 3) x 5, part 24 (Brand#23, MED BAG, size 7) x 15, part 34 (Brand#34,
--      LG BOX, size 12) x 25.
UPDATE tpch_line SET partkey = 12, qty = 5, mode = 1, instr = 0 WHERE orderkey = 12 AND ln = 1;
UPDATE tpch_line SET partkey = 24, qty = 15, mode = 1, instr = 0 WHERE orderkey = 24 AND ln = 1;
UPDATE tpch_line SET partkey = 34, qty = 25, mode = 1, instr = 0 WHERE orderkey = 34 AND ln = 1;
-- q20: part 3 ('forest …') from supplier 4 (CANADA, its supplier i = 0), shipped in 1994
--      (order 21 is dated 1994-02-05, so the ship date is in 1994 too), quantity 10.
UPDATE tpch_line SET partkey = 3, suppi = 0, qty = 10 WHERE orderkey = 21 AND ln = 1;
-- q08: part 2 (ECONOMY ANODIZED STEEL) from supplier 3 (BRAZIL, i = 0) in orders 23 and 39
--      (1996-01-16 and 1995-12-27, customers in ARGENTINA and UNITED STATES), so Brazil's
--      market share is not 0.
UPDATE tpch_line SET partkey = 2, suppi = 0 WHERE orderkey IN (23, 39) AND ln = 1;

INSERT INTO orders (o_orderkey, o_custkey, o_orderstatus, o_totalprice, o_orderdate,
                    o_orderpriority, o_clerk, o_shippriority, o_comment)
WITH t AS (
  SELECT l.orderkey,
         CAST(SUM(CAST(l.qty AS BIGINT) * (90000 + (l.partkey / 10) % 20001 + 100 * (l.partkey % 1000))
                  * (100 + l.tax) * (100 - l.disc)) AS BIGINT) AS gross,
         SUM(CASE WHEN l.shipd > 1263 THEN 1 ELSE 0 END) AS open_lines,
         COUNT(*) AS all_lines
  FROM tpch_line l
  GROUP BY l.orderkey
)
SELECT
  o.orderkey,
  o.custkey,
  CASE WHEN t.open_lines = 0 THEN 'F' WHEN t.open_lines = t.all_lines THEN 'O' ELSE 'P' END,
  ((t.gross + 5000) / 10000) / 100.0,
  c.d,
  CASE o.prio
    WHEN 0 THEN '1-URGENT' WHEN 1 THEN '2-HIGH' WHEN 2 THEN '3-MEDIUM' WHEN 3 THEN '4-NOT SPECIFIED'
    ELSE '5-LOW' END,
  'Clerk#' || substr('000000000' || CAST(o.clerk AS TEXT), length(CAST(o.clerk AS TEXT)) + 1, 9),
  0,
  CASE o.cmt1
    WHEN 0 THEN 'furiously special' WHEN 1 THEN 'carefully final' WHEN 2 THEN 'slyly special'
    WHEN 3 THEN 'quickly regular' WHEN 4 THEN 'blithely ironic' WHEN 5 THEN 'pending'
    WHEN 6 THEN 'bold' WHEN 7 THEN 'express' ELSE 'unusual' END
    || ' '
    || CASE o.cmt2
         WHEN 0 THEN 'requests' WHEN 1 THEN 'deposits' WHEN 2 THEN 'packages' WHEN 3 THEN 'accounts'
         WHEN 4 THEN 'foxes' WHEN 5 THEN 'theodolites' WHEN 6 THEN 'pinto beans' ELSE 'ideas' END
    || ' '
    || CASE o.cmt3
         WHEN 0 THEN 'sleep among the requests' WHEN 1 THEN 'wake above the courts'
         WHEN 2 THEN 'haggle near the Ærø ferries' WHEN 3 THEN 'nag beside the 東京 depots'
         WHEN 4 THEN 'cajole after Müller''s platelets' WHEN 5 THEN 'use across the dugouts'
         WHEN 6 THEN 'boost against the excuses' ELSE 'detect about the instructions' END
FROM tpch_ord o
JOIN t ON t.orderkey = o.orderkey
JOIN tpch_cal c ON c.dn = o.odate;

INSERT INTO lineitem (l_orderkey, l_partkey, l_suppkey, l_linenumber, l_quantity, l_extendedprice,
                      l_discount, l_tax, l_returnflag, l_linestatus, l_shipdate, l_commitdate,
                      l_receiptdate, l_shipinstruct, l_shipmode, l_comment)
SELECT
  l.orderkey,
  l.partkey,
  (l.partkey + l.suppi * (50 / 4 + (l.partkey - 1) / 50)) % 50 + 1,
  l.ln,
  l.qty,
  (l.qty * (90000 + (l.partkey / 10) % 20001 + 100 * (l.partkey % 1000))) / 100.0,
  l.disc / 100.0,
  l.tax / 100.0,
  CASE WHEN l.receiptd <= 1263 THEN CASE WHEN l.rflag = 0 THEN 'R' ELSE 'A' END ELSE 'N' END,
  CASE WHEN l.shipd > 1263 THEN 'O' ELSE 'F' END,
  cs.d,
  cc.d,
  cr.d,
  CASE l.instr
    WHEN 0 THEN 'DELIVER IN PERSON' WHEN 1 THEN 'COLLECT COD' WHEN 2 THEN 'NONE'
    ELSE 'TAKE BACK RETURN' END,
  CASE l.mode
    WHEN 0 THEN 'REG AIR' WHEN 1 THEN 'AIR' WHEN 2 THEN 'RAIL' WHEN 3 THEN 'SHIP'
    WHEN 4 THEN 'TRUCK' WHEN 5 THEN 'MAIL' ELSE 'FOB' END,
  CASE l.cmt1
    WHEN 0 THEN 'slyly special' WHEN 1 THEN 'carefully final' WHEN 2 THEN 'quickly bold'
    WHEN 3 THEN 'blithely even' WHEN 4 THEN 'furiously ironic' WHEN 5 THEN 'Ærø'
    WHEN 6 THEN 'fluffily regular' ELSE '東京' END
    || ' '
    || CASE l.cmt2
         WHEN 0 THEN 'requests haggle' WHEN 1 THEN 'deposits sleep' WHEN 2 THEN 'foxes wake'
         WHEN 3 THEN 'accounts nag' WHEN 4 THEN 'packages use' ELSE 'Müller ideas boost' END
FROM tpch_line l
JOIN tpch_cal cs ON cs.dn = l.shipd
JOIN tpch_cal cc ON cc.dn = l.commitd
JOIN tpch_cal cr ON cr.dn = l.receiptd;

DROP TABLE tpch_line;
DROP TABLE tpch_ord;
DROP TABLE tpch_cal;

COMMIT;
