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

-- Who may read what (SQL.md §5). Without --user or \as you are the local superuser and these
-- do not apply; the REPL's \as shows what each kind of consumer sees:
--   \as ann@acme.example role analyst                            every row, emails masked
--   \as rita@acme.example role regional_manager attr region=EU   EU customers only, emails masked
--   \as sam@acme.example role steward                            everything
GRANT SELECT ON sales_analytics.* TO ROLE analyst, ROLE regional_manager, ROLE steward;
GRANT SELECT ON customer_experience.* TO ROLE analyst, ROLE regional_manager, ROLE steward;
GRANT SELECT ON financial_reporting.* TO ROLE analyst, ROLE steward;
MASK sales_analytics.customers.email USING mask_email(email) FOR PUBLIC EXCEPT ROLE steward;
FILTER sales_analytics.customers USING region = current_attr('region') FOR ROLE regional_manager;
