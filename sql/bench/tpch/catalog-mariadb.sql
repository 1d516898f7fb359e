-- Registers a second federated TPC-H placement with meshql (variant of catalog.sql): three
-- meshes on three engines, one connector each, the eight tables imported as data products.
--   sales  -> MariaDB database 'sales':     orders, lineitem
--   crm    -> PostgreSQL database 'crm':    customer, nation, region
--   supply -> SQLite file supply.db:        part, supplier, partsupp
-- The MariaDB server comes from mariadb.sh (e.g. mariadb.sh start /tmp/maria-sf01 33306).
-- Placeholders to substitute before running it:
--   {{MARIADB_DSN}}  DSN of the MariaDB 'sales' database, e.g. mariadb://meshql@127.0.0.1:33306/sales
--   {{PG_DSN}}       libpq DSN of the 'crm' database, e.g. host=127.0.0.1 port=55432 user=postgres dbname=crm
--   {{DIR}}          absolute path of the folder tpch_setup.py wrote supply.db into
-- Syntax: SQL.md §3.

CREATE MESH sales
  WITH (name = 'Sales', label = 'SAL',
        description = 'TPC-H orders and line items.',
        owner = 'bench@meshql.example');

CREATE MESH crm
  WITH (name = 'CRM', label = 'CRM',
        description = 'TPC-H customers, nations and regions.',
        owner = 'bench@meshql.example');

CREATE MESH supply
  WITH (name = 'Supply', label = 'SUP',
        description = 'TPC-H parts, suppliers and part suppliers.',
        owner = 'bench@meshql.example');

CREATE CONNECTOR sales_maria FOR MESH sales
  TYPE mariadb OPTIONS (dsn '{{MARIADB_DSN}}');

CREATE CONNECTOR crm_pg FOR MESH crm
  TYPE postgres OPTIONS (dsn '{{PG_DSN}}');

CREATE CONNECTOR supply_db FOR MESH supply
  TYPE sqlite OPTIONS (path '{{DIR}}/supply.db');

IMPORT DATA PRODUCTS FROM CONNECTOR sales_maria;
IMPORT DATA PRODUCTS FROM CONNECTOR crm_pg;
IMPORT DATA PRODUCTS FROM CONNECTOR supply_db;
