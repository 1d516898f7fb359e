-- TPC-H-shaped test data, mesh "supply": supplier, part, partsupp.
-- Portable: runs unchanged on SQLite 3.40+ (sqlite3 supply.db < supply.sql) and PostgreSQL
-- 15+ (psql -v ON_ERROR_STOP=1 -f supply.sql, into schema supply via search_path), and both
-- produce identical rows. See README.md for the rules every value follows.
--
-- Every value is derived from its key by integer arithmetic only (see crm.sql for the
-- hash r_s); money is integer cents / 100.0.
-- 50 suppliers, 2 per nation: s_nationkey = (s_suppkey - 1) % 25.
-- 200 parts; p_retailprice follows the TPC-H formula
--   (90000 + (p/10) % 20001 + 100 * (p % 1000)) / 100
-- which sales.sql repeats to compute l_extendedprice.
-- 4 partsupp rows per part, suppliers by the TPC-H formula with S = 50:
--   ps_suppkey = (p + i * (50/4 + (p - 1)/50)) % 50 + 1, i = 0..3
-- which sales.sql repeats to pick l_suppkey.
-- The UPDATEs at the end pin a few parts so that q02, q08, q17, q19 and q20 find rows.

BEGIN;

DROP TABLE IF EXISTS partsupp;
DROP TABLE IF EXISTS part;
DROP TABLE IF EXISTS supplier;

CREATE TABLE supplier (
  s_suppkey    INTEGER       NOT NULL PRIMARY KEY,
  s_name       VARCHAR(25)   NOT NULL,
  s_address    VARCHAR(40)   NOT NULL,
  s_nationkey  INTEGER       NOT NULL,
  s_phone      VARCHAR(15)   NOT NULL,
  s_acctbal    DECIMAL(15,2) NOT NULL,
  s_comment    VARCHAR(101)  NOT NULL
);

CREATE TABLE part (
  p_partkey     INTEGER       NOT NULL PRIMARY KEY,
  p_name        VARCHAR(55)   NOT NULL,
  p_mfgr        VARCHAR(25)   NOT NULL,
  p_brand       VARCHAR(10)   NOT NULL,
  p_type        VARCHAR(25)   NOT NULL,
  p_size        INTEGER       NOT NULL,
  p_container   VARCHAR(10)   NOT NULL,
  p_retailprice DECIMAL(15,2) NOT NULL,
  p_comment     VARCHAR(23)   NOT NULL
);

CREATE TABLE partsupp (
  ps_partkey    INTEGER       NOT NULL REFERENCES part (p_partkey),
  ps_suppkey    INTEGER       NOT NULL REFERENCES supplier (s_suppkey),
  ps_availqty   INTEGER       NOT NULL,
  ps_supplycost DECIMAL(15,2) NOT NULL,
  ps_comment    VARCHAR(199)  NOT NULL,
  PRIMARY KEY (ps_partkey, ps_suppkey)
);

-- Suppliers 7, 17, 27, 37, 47 have 'Customer ... Complaints' in their comment (q16 skips
-- them), suppliers 3, 13, 23, 33, 43 'Customer ... Recommends'.
INSERT INTO supplier (s_suppkey, s_name, s_address, s_nationkey, s_phone, s_acctbal, s_comment)
WITH RECURSIVE g(n) AS (
  SELECT CAST(1 AS BIGINT)
  UNION ALL
  SELECT n + 1 FROM g WHERE n < 50
),
h AS (
  SELECT n, (n * 7919 + 202) % 1000003 AS x, (n * 104729 + 71) % 1000003 AS y FROM g
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
         (x * (y + 63) + 10611) % 1000003 AS r9
  FROM h
)
SELECT
  n,
  'Supplier#' || substr('000000000' || CAST(n AS TEXT), length(CAST(n AS TEXT)) + 1, 9),
  CAST(r1 % 990 + 10 AS TEXT) || ' '
    || CASE r2 % 10
         WHEN 0 THEN 'Industriestraße' WHEN 1 THEN 'Dock' WHEN 2 THEN 'Quay' WHEN 3 THEN 'Ærøskøbing'
         WHEN 4 THEN 'Foundry' WHEN 5 THEN 'Depot' WHEN 6 THEN '大阪' WHEN 7 THEN 'Mill'
         WHEN 8 THEN 'Forge' ELSE 'Canal' END
    || ' '
    || CASE r3 % 4 WHEN 0 THEN 'Road' WHEN 1 THEN 'Park' WHEN 2 THEN 'Yard' ELSE 'Row' END,
  (n - 1) % 25,
  CAST((n - 1) % 25 + 10 AS TEXT) || '-' || CAST(r4 % 900 + 100 AS TEXT) || '-'
    || CAST(r5 % 900 + 100 AS TEXT) || '-' || CAST(r6 % 9000 + 1000 AS TEXT),
  ((r7 % 1100) * 1000 + r8 % 1000 - 99999) / 100.0,
  CASE r9 % 6
    WHEN 0 THEN 'carefully regular' WHEN 1 THEN 'blithely final' WHEN 2 THEN 'slyly express'
    WHEN 3 THEN 'quickly ironic' WHEN 4 THEN 'furiously bold' ELSE 'evenly pending' END
    || CASE n % 10
         WHEN 7 THEN ' Customer accounts sleep; Complaints about the deposits'
         WHEN 3 THEN ' Customer requests nag. Recommends the foxes'
         ELSE CASE r1 % 5
                WHEN 0 THEN ' deposits haggle among the ideas' WHEN 1 THEN ' packages wake above the courts'
                WHEN 2 THEN ' foxes boost near the Müller theodolites' WHEN 3 THEN ' accounts use beside the 東京 pinto beans'
                ELSE ' requests detect against the platelets' END
       END
FROM r;

INSERT INTO part (p_partkey, p_name, p_mfgr, p_brand, p_type, p_size, p_container, p_retailprice, p_comment)
WITH RECURSIVE g(n) AS (
  SELECT CAST(1 AS BIGINT)
  UNION ALL
  SELECT n + 1 FROM g WHERE n < 200
),
h AS (
  SELECT n, (n * 7919 + 303) % 1000003 AS x, (n * 104729 + 71) % 1000003 AS y FROM g
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
         (x * (y + 77) + 15851) % 1000003 AS r11,
         (x * (y + 84) + 18864) % 1000003 AS r12,
         (x * (y + 91) + 22139) % 1000003 AS r13
  FROM h
),
-- The 92 TPC-H colour words of P_NAME.
color(i, w) AS (
  VALUES (0, 'almond'), (1, 'antique'), (2, 'aquamarine'), (3, 'azure'), (4, 'beige'),
         (5, 'bisque'), (6, 'black'), (7, 'blanched'), (8, 'blue'), (9, 'blush'),
         (10, 'brown'), (11, 'burlywood'), (12, 'burnished'), (13, 'chartreuse'), (14, 'chiffon'),
         (15, 'chocolate'), (16, 'coral'), (17, 'cornflower'), (18, 'cornsilk'), (19, 'cream'),
         (20, 'cyan'), (21, 'dark'), (22, 'deep'), (23, 'dim'), (24, 'dodger'),
         (25, 'drab'), (26, 'firebrick'), (27, 'floral'), (28, 'forest'), (29, 'frosted'),
         (30, 'gainsboro'), (31, 'ghost'), (32, 'goldenrod'), (33, 'green'), (34, 'grey'),
         (35, 'honeydew'), (36, 'hot'), (37, 'indian'), (38, 'ivory'), (39, 'khaki'),
         (40, 'lace'), (41, 'lavender'), (42, 'lawn'), (43, 'lemon'), (44, 'light'),
         (45, 'lime'), (46, 'linen'), (47, 'magenta'), (48, 'maroon'), (49, 'medium'),
         (50, 'metallic'), (51, 'midnight'), (52, 'mint'), (53, 'misty'), (54, 'moccasin'),
         (55, 'navajo'), (56, 'navy'), (57, 'olive'), (58, 'orange'), (59, 'orchid'),
         (60, 'pale'), (61, 'papaya'), (62, 'peach'), (63, 'peru'), (64, 'pink'),
         (65, 'plum'), (66, 'powder'), (67, 'puff'), (68, 'purple'), (69, 'red'),
         (70, 'rose'), (71, 'rosy'), (72, 'royal'), (73, 'saddle'), (74, 'salmon'),
         (75, 'sandy'), (76, 'seashell'), (77, 'sienna'), (78, 'sky'), (79, 'slate'),
         (80, 'smoke'), (81, 'snow'), (82, 'spring'), (83, 'steel'), (84, 'tan'),
         (85, 'thistle'), (86, 'tomato'), (87, 'turquoise'), (88, 'violet'), (89, 'wheat'),
         (90, 'white'), (91, 'yellow')
)
SELECT
  n,
  (SELECT w FROM color WHERE i = r1 % 92) || ' ' || (SELECT w FROM color WHERE i = r2 % 92) || ' '
    || (SELECT w FROM color WHERE i = r3 % 92) || ' ' || (SELECT w FROM color WHERE i = r4 % 92) || ' '
    || (SELECT w FROM color WHERE i = r5 % 92),
  'Manufacturer#' || CAST(r6 % 5 + 1 AS TEXT),
  'Brand#' || CAST(r6 % 5 + 1 AS TEXT) || CAST(r7 % 5 + 1 AS TEXT),
  CASE r8 % 6
    WHEN 0 THEN 'STANDARD' WHEN 1 THEN 'SMALL' WHEN 2 THEN 'MEDIUM' WHEN 3 THEN 'LARGE'
    WHEN 4 THEN 'ECONOMY' ELSE 'PROMO' END
    || ' '
    || CASE r9 % 5
         WHEN 0 THEN 'ANODIZED' WHEN 1 THEN 'BURNISHED' WHEN 2 THEN 'PLATED' WHEN 3 THEN 'POLISHED'
         ELSE 'BRUSHED' END
    || ' '
    || CASE r10 % 5
         WHEN 0 THEN 'TIN' WHEN 1 THEN 'NICKEL' WHEN 2 THEN 'BRASS' WHEN 3 THEN 'STEEL'
         ELSE 'COPPER' END,
  r11 % 50 + 1,
  CASE r12 % 5 WHEN 0 THEN 'SM' WHEN 1 THEN 'LG' WHEN 2 THEN 'MED' WHEN 3 THEN 'JUMBO' ELSE 'WRAP' END
    || ' '
    || CASE r13 % 8
         WHEN 0 THEN 'CASE' WHEN 1 THEN 'BOX' WHEN 2 THEN 'BAG' WHEN 3 THEN 'JAR'
         WHEN 4 THEN 'PKG' WHEN 5 THEN 'PACK' WHEN 6 THEN 'CAN' ELSE 'DRUM' END,
  (90000 + (n / 10) % 20001 + 100 * (n % 1000)) / 100.0,
  CASE r13 % 7
    WHEN 0 THEN 'final deposits' WHEN 1 THEN 'ironic foxes sleep' WHEN 2 THEN 'Ærø accounts'
    WHEN 3 THEN 'regular pinto beans' WHEN 4 THEN '東京 requests' WHEN 5 THEN 'bold Müller ideas'
    ELSE 'even packages' END
FROM r;

INSERT INTO partsupp (ps_partkey, ps_suppkey, ps_availqty, ps_supplycost, ps_comment)
WITH RECURSIVE g(n) AS (
  SELECT CAST(1 AS BIGINT)
  UNION ALL
  SELECT n + 1 FROM g WHERE n < 800
),
k AS (
  SELECT (n - 1) / 4 + 1 AS p, (n - 1) % 4 AS i, n FROM g
),
h AS (
  SELECT p, i, (n * 7919 + 404) % 1000003 AS x, (n * 104729 + 71) % 1000003 AS y FROM k
),
r AS (
  SELECT p, i,
         (x * (y + 7) + 131) % 1000003 AS r1,
         (x * (y + 14) + 524) % 1000003 AS r2,
         (x * (y + 21) + 1179) % 1000003 AS r3,
         (x * (y + 28) + 2096) % 1000003 AS r4
  FROM h
)
SELECT
  p,
  (p + i * (50 / 4 + (p - 1) / 50)) % 50 + 1,
  r1 % 9999 + 1,
  (r2 % 99901 + 100) / 100.0,
  CASE r3 % 6
    WHEN 0 THEN 'blithely regular' WHEN 1 THEN 'furiously special' WHEN 2 THEN 'carefully ironic'
    WHEN 3 THEN 'quickly final' WHEN 4 THEN 'slyly bold' ELSE 'evenly express' END
    || CASE r4 % 5
         WHEN 0 THEN ' deposits are among the pending theodolites. unusual, ironic packages haggle'
         WHEN 1 THEN ' accounts nag fluffily across the requests; Ærø and 東京 warehouses wait'
         WHEN 2 THEN ' packages sleep above the bold dependencies'
         WHEN 3 THEN ' foxes cajole near Herr Müller''s express platelets'
         ELSE ' pinto beans wake' END
FROM r;

-- Pinned parts, so that the queries' selective predicates find rows (sales.sql pins lines
-- of these parts):
-- q02: parts 6 and 31, size 15, type ending in BRASS; supplied by 7 and 32 (FRANCE).
UPDATE part SET p_size = 15, p_type = 'LARGE PLATED BRASS' WHERE p_partkey = 6;
UPDATE part SET p_size = 15, p_type = 'PROMO BURNISHED BRASS' WHERE p_partkey = 31;
-- q08: part 2 is ECONOMY ANODIZED STEEL (so is part 44 by chance), supplied by 3 (BRAZIL).
UPDATE part SET p_type = 'ECONOMY ANODIZED STEEL' WHERE p_partkey = 2;
-- q20: part 3 starts with 'forest'; supplier 4 (CANADA) has plenty of it.
UPDATE part SET p_name = 'forest navy medium thistle hot' WHERE p_partkey = 3;
UPDATE partsupp SET ps_availqty = 7812 WHERE ps_partkey = 3 AND ps_suppkey = 4;
-- q17: part 23 is Brand#23 in a MED BOX.
UPDATE part SET p_mfgr = 'Manufacturer#2', p_brand = 'Brand#23', p_container = 'MED BOX' WHERE p_partkey = 23;
-- q19: one part per OR branch.
UPDATE part SET p_mfgr = 'Manufacturer#1', p_brand = 'Brand#12', p_container = 'SM PKG', p_size = 3 WHERE p_partkey = 12;
UPDATE part SET p_mfgr = 'Manufacturer#2', p_brand = 'Brand#23', p_container = 'MED BAG', p_size = 7 WHERE p_partkey = 24;
UPDATE part SET p_mfgr = 'Manufacturer#3', p_brand = 'Brand#34', p_container = 'LG BOX', p_size = 12 WHERE p_partkey = 34;

COMMIT;
