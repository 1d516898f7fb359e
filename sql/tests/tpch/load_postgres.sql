-- Loads the three TPC-H meshes into the current PostgreSQL database, one schema each, the
-- layout the TPC-H queries name (sales.lineitem, crm.customer, supply.part, …):
--   psql -v ON_ERROR_STOP=1 -d DB -f sql/tests/tpch/load_postgres.sql
-- Re-runnable: each script drops and re-creates its own tables. Create the database with
-- C collation (TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C') to get byte-order text
-- ordering like SQLite's.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS crm;
CREATE SCHEMA IF NOT EXISTS supply;
CREATE SCHEMA IF NOT EXISTS sales;
SET search_path = crm;
\ir crm.sql
SET search_path = supply;
\ir supply.sql
SET search_path = sales;
\ir sales.sql
RESET search_path;
