-- TPC-H-shaped test data, mesh "crm": region, nation, customer.
-- Portable: runs unchanged on SQLite 3.40+ (sqlite3 crm.db < crm.sql) and PostgreSQL 15+
-- (psql -v ON_ERROR_STOP=1 -f crm.sql, into schema crm via search_path), and both produce
-- identical rows. See README.md for the rules every value follows.
--
-- customer is derived from its key by integer arithmetic only (no random(), no floating
-- point): x = (n*7919 + seed) % 1000003, y = (n*104729 + 71) % 1000003 and
-- r_s = (x*(y + 7s) + 131s²) % 1000003 for a few s. Money is integer cents / 100.0, which
-- PostgreSQL rounds exactly into NUMERIC(15,2) and SQLite stores as the same REAL (or
-- INTEGER) its literal 12.34 would give.
-- 150 customers; like TPC-H, customers whose key is a multiple of 3 place no orders (see
-- sales.sql), which q13 and q22 need. The phone starts with nationkey + 10 (q22).

BEGIN;

DROP TABLE IF EXISTS customer;
DROP TABLE IF EXISTS nation;
DROP TABLE IF EXISTS region;

CREATE TABLE region (
  r_regionkey  INTEGER       NOT NULL PRIMARY KEY,
  r_name       VARCHAR(25)   NOT NULL,
  r_comment    VARCHAR(152)  NOT NULL
);

CREATE TABLE nation (
  n_nationkey  INTEGER       NOT NULL PRIMARY KEY,
  n_name       VARCHAR(25)   NOT NULL,
  n_regionkey  INTEGER       NOT NULL REFERENCES region (r_regionkey),
  n_comment    VARCHAR(152)  NOT NULL
);

CREATE TABLE customer (
  c_custkey    INTEGER       NOT NULL PRIMARY KEY,
  c_name       VARCHAR(25)   NOT NULL,
  c_address    VARCHAR(40)   NOT NULL,
  c_nationkey  INTEGER       NOT NULL REFERENCES nation (n_nationkey),
  c_phone      VARCHAR(15)   NOT NULL,
  c_acctbal    DECIMAL(15,2) NOT NULL,
  c_mktsegment VARCHAR(10)   NOT NULL,
  c_comment    VARCHAR(117)  NOT NULL
);

INSERT INTO region (r_regionkey, r_name, r_comment) VALUES
(0, 'AFRICA', 'lar deposits. blithely final packages cajole. regular waters are final requests'),
(1, 'AMERICA', 'hs use ironic, even requests. s'),
(2, 'ASIA', 'ges. thinly even pinto beans ca; 東京 and Ōsaka depots'),
(3, 'EUROPE', 'ly final courts cajole furiously final excuse; Ærø, Zürich, Łódź'),
(4, 'MIDDLE EAST', 'uickly special accounts cajole carefully blithely close requests');

INSERT INTO nation (n_nationkey, n_name, n_regionkey, n_comment) VALUES
(0, 'ALGERIA', 0, 'haggle. carefully final deposits detect slyly agai'),
(1, 'ARGENTINA', 1, 'al foxes promise slyly according to the regular accounts'),
(2, 'BRAZIL', 1, 'y alongside of the pending deposits; São Paulo warehouses'),
(3, 'CANADA', 1, 'eas hang ironic, silent packages. slyly regular packages are furiously'),
(4, 'EGYPT', 4, 'y above the carefully unusual theodolites. final dugouts are quickly'),
(5, 'ETHIOPIA', 0, 'ven packages wake quickly. regu'),
(6, 'FRANCE', 3, 'refully final requests. regular, ironic theodolites près de Besançon'),
(7, 'GERMANY', 3, 'l platelets. regular accounts x-ray: unusual, regular acco; Müller GmbH'),
(8, 'INDIA', 2, 'ss excuses cajole slyly across the packages. deposits print aroun'),
(9, 'INDONESIA', 2, ' slyly express asymptotes. regular deposits haggle slyly'),
(10, 'IRAN', 4, 'efully alongside of the slyly final dependencies'),
(11, 'IRAQ', 4, 'nic deposits boost atop the quickly final requests? quickly regula'),
(12, 'JAPAN', 2, 'ously. final, express gifts cajole a; 東京 and 大阪'),
(13, 'JORDAN', 4, 'ic deposits are blithely about the carefully regular pa'),
(14, 'KENYA', 0, ' pending excuses haggle furiously deposits. pending, express pinto beans wake fluffily past t'),
(15, 'MOROCCO', 0, 'rns. blithely bold courts among the closely regular packages use furiously bold platelets?'),
(16, 'MOZAMBIQUE', 0, 's. ironic, unusual asymptotes wake blithely r'),
(17, 'PERU', 1, 'platelets. blithely pending dependencies use fluffily across the even pinto beans'),
(18, 'CHINA', 2, 'c dependencies. furiously express notornis sleep slyly regular accounts'),
(19, 'ROMANIA', 3, 'ular asymptotes are about the furious multipliers. express dependencies nag above the ironically ironic account'),
(20, 'SAUDI ARABIA', 4, 'ts. silent requests haggle. closely express packages sleep across the blithely'),
(21, 'VIETNAM', 2, 'hely enticingly express accounts. even, final'),
(22, 'RUSSIA', 3, ' requests against the platelets use never according to the quickly regular pint'),
(23, 'UNITED KINGDOM', 3, 'eans boost carefully special requests. accounts are. carefull'),
(24, 'UNITED STATES', 1, 'y final packages. slow foxes cajole quickly. quickly silent platelets breach ironic accounts');

INSERT INTO customer (c_custkey, c_name, c_address, c_nationkey, c_phone, c_acctbal, c_mktsegment, c_comment)
WITH RECURSIVE g(n) AS (
  SELECT CAST(1 AS BIGINT)
  UNION ALL
  SELECT n + 1 FROM g WHERE n < 150
),
h AS (
  SELECT n, (n * 7919 + 101) % 1000003 AS x, (n * 104729 + 71) % 1000003 AS y FROM g
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
         (x * (y + 56) + 8384) % 1000003 AS r8,
         (x * (y + 63) + 10611) % 1000003 AS r9,
         (x * (y + 70) + 13100) % 1000003 AS r10,
         (x * (y + 77) + 15851) % 1000003 AS r11
  FROM h
)
SELECT
  n,
  'Customer#' || substr('000000000' || CAST(n AS TEXT), length(CAST(n AS TEXT)) + 1, 9),
  CAST(r1 % 9900 + 100 AS TEXT) || ' '
    || CASE r2 % 12
         WHEN 0 THEN 'Oak' WHEN 1 THEN 'Maple' WHEN 2 THEN 'Harbor' WHEN 3 THEN 'Müller'
         WHEN 4 THEN 'Station' WHEN 5 THEN 'Ærø' WHEN 6 THEN 'Market' WHEN 7 THEN '東京'
         WHEN 8 THEN 'Bridge' WHEN 9 THEN 'São João' WHEN 10 THEN 'Mill' ELSE 'Łódź' END
    || ' '
    || CASE r3 % 6
         WHEN 0 THEN 'Street' WHEN 1 THEN 'Road' WHEN 2 THEN 'Avenue' WHEN 3 THEN 'Lane'
         WHEN 4 THEN 'Way' ELSE 'Plaza' END,
  r4 % 25,
  CAST(r4 % 25 + 10 AS TEXT) || '-' || CAST(r5 % 900 + 100 AS TEXT) || '-'
    || CAST(r6 % 900 + 100 AS TEXT) || '-' || CAST(r7 % 9000 + 1000 AS TEXT),
  ((r10 % 1100) * 1000 + r11 % 1000 - 99999) / 100.0,
  CASE r8 % 5
    WHEN 0 THEN 'AUTOMOBILE' WHEN 1 THEN 'BUILDING' WHEN 2 THEN 'FURNITURE'
    WHEN 3 THEN 'MACHINERY' ELSE 'HOUSEHOLD' END,
  CASE r9 % 8
    WHEN 0 THEN 'carefully final' WHEN 1 THEN 'quickly regular' WHEN 2 THEN 'slyly ironic'
    WHEN 3 THEN 'furiously express' WHEN 4 THEN 'blithely pending' WHEN 5 THEN 'fluffily bold'
    WHEN 6 THEN 'boldly silent' ELSE 'evenly unusual' END
    || ' '
    || CASE r1 % 8
         WHEN 0 THEN 'deposits' WHEN 1 THEN 'packages' WHEN 2 THEN 'accounts'
         WHEN 3 THEN 'requests' WHEN 4 THEN 'foxes' WHEN 5 THEN 'theodolites'
         WHEN 6 THEN 'pinto beans' ELSE 'instructions' END
    || ' '
    || CASE r2 % 7
         WHEN 0 THEN 'sleep' WHEN 1 THEN 'wake' WHEN 2 THEN 'haggle' WHEN 3 THEN 'nag'
         WHEN 4 THEN 'use' WHEN 5 THEN 'boost' ELSE 'cajole' END
    || ' '
    || CASE r3 % 9
         WHEN 0 THEN 'across the furiously special courts' WHEN 1 THEN 'above the ideas'
         WHEN 2 THEN 'among the blithe dependencies' WHEN 3 THEN 'about the quick warthogs'
         WHEN 4 THEN 'near the Ærø ferries' WHEN 5 THEN 'beside the 東京 warehouses'
         WHEN 6 THEN 'along Herr Müller''s platelets' WHEN 7 THEN 'against the final excuses'
         ELSE 'after the even asymptotes' END
FROM r;

COMMIT;
