-- Registers the three demo domains with meshql (`meshql demo` runs this).
-- The program substitutes the placeholders before running it:
--   {{SALES_PATH}}       path of the SQLite file built from sales_analytics.sql
--   {{CX_PATH}}          path of the SQLite file built from customer_experience.sql
--   {{FINANCE_TYPE}}     postgres, or sqlite when no PostgreSQL is available
--   {{FINANCE_OPTIONS}}  e.g. dsn 'host=127.0.0.1 port=5432 dbname=finance'
--                        or   path 'finance.db'
-- Syntax: SQL.md §3.

CREATE MESH sales_analytics
  WITH (name = 'Sales Analytics', label = 'SAL',
        description = 'Customers, product catalogue, orders and order lines of the ACME shop, 2023-2024.',
        purpose = 'Enable data-driven sales insights and performance optimization',
        owner = 'sales-lead@acme.example');

CREATE MESH customer_experience
  WITH (name = 'Customer Experience', label = 'CXP',
        description = 'Support tickets with satisfaction ratings, and NPS survey responses.',
        purpose = 'Understand and improve how customers experience service and support',
        owner = 'cx-lead@acme.example');

CREATE MESH financial_reporting
  WITH (name = 'Financial Reporting', label = 'FIN',
        description = 'Invoices (one per shipped order) and incoming payments, as of 2024-12-31.',
        purpose = 'Reliable revenue, receivables and cash reporting for finance and controlling',
        owner = 'finance-lead@acme.example');

CREATE CONNECTOR sales_db FOR MESH sales_analytics
  TYPE sqlite OPTIONS (path '{{SALES_PATH}}');

CREATE CONNECTOR cx_db FOR MESH customer_experience
  TYPE sqlite OPTIONS (path '{{CX_PATH}}');

CREATE CONNECTOR finance_db FOR MESH financial_reporting
  TYPE {{FINANCE_TYPE}} OPTIONS ({{FINANCE_OPTIONS}});

IMPORT DATA PRODUCTS FROM CONNECTOR sales_db;
IMPORT DATA PRODUCTS FROM CONNECTOR cx_db;
IMPORT DATA PRODUCTS FROM CONNECTOR finance_db;
