-- Registers the federated TPC-H placement of the shared benchmark (bench/README.md) with
-- meshql: three meshes, one connector each, the eight tables imported as data products.
--   sales  -> PostgreSQL database 'sales':  orders, lineitem
--   crm    -> SQLite file crm.db:           customer, nation, region
--   supply -> SQLite file supply.db:        part, supplier, partsupp
-- setup-catalog.sh substitutes the placeholders before running it:
--   {{PG_DSN}}  libpq DSN of the 'sales' database, e.g. host=127.0.0.1 port=55432 user=postgres dbname=sales
--   {{DIR}}     absolute path of the folder tpch_setup.py wrote crm.db and supply.db into
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

CREATE CONNECTOR sales_pg FOR MESH sales
  TYPE postgres OPTIONS (dsn '{{PG_DSN}}');

CREATE CONNECTOR crm_db FOR MESH crm
  TYPE sqlite OPTIONS (path '{{DIR}}/crm.db');

CREATE CONNECTOR supply_db FOR MESH supply
  TYPE sqlite OPTIONS (path '{{DIR}}/supply.db');

IMPORT DATA PRODUCTS FROM CONNECTOR sales_pg;
IMPORT DATA PRODUCTS FROM CONNECTOR crm_db;
IMPORT DATA PRODUCTS FROM CONNECTOR supply_db;
