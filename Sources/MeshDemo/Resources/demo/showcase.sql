-- Showcase queries for the demo (`meshql demo --run` runs them in order).
-- Each query starts with a "-- title: ..." line and ends with a semicolon. They use
-- only joins, WHERE, GROUP BY, HAVING, ORDER BY, LIMIT, the basic aggregates,
-- CASE, CAST, arithmetic, comparisons, IN, BETWEEN, LIKE, IS NULL and derived
-- tables. The reference results (PostgreSQL 15 with the three demo scripts
-- loaded into schemas named after the meshes) are in showcase.expected.

-- title: Revenue by region (all orders except cancelled ones)
SELECT c.region,
       COUNT(*) AS orders,
       COUNT(DISTINCT o.customer_id) AS customers,
       SUM(o.amount) AS revenue,
       CAST(AVG(o.amount) AS DECIMAL(12,2)) AS avg_order_value
FROM sales_analytics.orders o
JOIN sales_analytics.customers c ON c.customer_id = o.customer_id
WHERE o.status <> 'cancelled'
GROUP BY c.region
ORDER BY revenue DESC;

-- title: Top 10 customers by 2024 revenue
SELECT c.customer_id, c.name, c.country, c.segment,
       COUNT(*) AS orders,
       SUM(o.amount) AS revenue
FROM sales_analytics.customers c
JOIN sales_analytics.orders o ON o.customer_id = c.customer_id
WHERE o.status IN ('delivered', 'shipped')
  AND o.order_date BETWEEN DATE '2024-01-01' AND DATE '2024-12-31'
GROUP BY c.customer_id, c.name, c.country, c.segment
ORDER BY revenue DESC, c.customer_id
LIMIT 10;

-- title: Quarterly revenue by sales channel
SELECT q.quarter,
       COUNT(*) AS orders,
       SUM(CASE WHEN q.channel = 'web' THEN q.amount ELSE 0.00 END) AS web,
       SUM(CASE WHEN q.channel = 'mobile' THEN q.amount ELSE 0.00 END) AS mobile,
       SUM(CASE WHEN q.channel = 'direct' THEN q.amount ELSE 0.00 END) AS direct,
       SUM(CASE WHEN q.channel = 'partner' THEN q.amount ELSE 0.00 END) AS partner,
       SUM(q.amount) AS total
FROM (SELECT CASE WHEN o.order_date < DATE '2023-04-01' THEN '2023-Q1'
                  WHEN o.order_date < DATE '2023-07-01' THEN '2023-Q2'
                  WHEN o.order_date < DATE '2023-10-01' THEN '2023-Q3'
                  WHEN o.order_date < DATE '2024-01-01' THEN '2023-Q4'
                  WHEN o.order_date < DATE '2024-04-01' THEN '2024-Q1'
                  WHEN o.order_date < DATE '2024-07-01' THEN '2024-Q2'
                  WHEN o.order_date < DATE '2024-10-01' THEN '2024-Q3'
                  ELSE '2024-Q4' END AS quarter,
             o.channel, o.amount
      FROM sales_analytics.orders o
      WHERE o.status <> 'cancelled') q
GROUP BY q.quarter
ORDER BY q.quarter;

-- title: Support satisfaction by customer segment (customer_experience x sales_analytics)
SELECT c.segment,
       COUNT(*) AS tickets,
       COUNT(t.satisfaction) AS rated,
       CAST(AVG(t.satisfaction) AS DECIMAL(4,2)) AS avg_satisfaction,
       SUM(CASE WHEN t.priority IN ('high', 'urgent') THEN 1 ELSE 0 END) AS high_priority,
       SUM(CASE WHEN t.agent IS NULL THEN 1 ELSE 0 END) AS unassigned
FROM customer_experience.support_tickets t
JOIN sales_analytics.customers c ON c.customer_id = t.customer_id
GROUP BY c.segment
ORDER BY avg_satisfaction DESC, c.segment;

-- title: Overdue invoices as of 2024-12-31, largest balances first (financial_reporting x sales_analytics)
SELECT i.invoice_number, c.name AS customer, c.region, i.due_on, i.currency,
       i.amount + i.tax AS gross,
       COALESCE(p.paid, 0.00) AS paid,
       i.amount + i.tax - COALESCE(p.paid, 0.00) AS outstanding,
       CASE WHEN i.due_on >= DATE '2024-12-01' THEN '1-30 days'
            WHEN i.due_on >= DATE '2024-10-01' THEN '31-90 days'
            ELSE 'over 90 days' END AS aging
FROM financial_reporting.invoices i
LEFT JOIN (SELECT invoice_id, SUM(amount) AS paid
           FROM financial_reporting.payments
           GROUP BY invoice_id) p ON p.invoice_id = i.invoice_id
JOIN sales_analytics.customers c ON c.customer_id = i.customer_id
WHERE i.status = 'open' AND i.due_on < DATE '2024-12-31'
ORDER BY outstanding DESC, i.invoice_number
LIMIT 15;

-- title: Net promoter score by region (customer_experience x sales_analytics)
SELECT c.region,
       COUNT(*) AS responses,
       SUM(CASE WHEN n.score >= 9 THEN 1 ELSE 0 END) AS promoters,
       SUM(CASE WHEN n.score <= 6 THEN 1 ELSE 0 END) AS detractors,
       (100 * (SUM(CASE WHEN n.score >= 9 THEN 1 ELSE 0 END)
               - SUM(CASE WHEN n.score <= 6 THEN 1 ELSE 0 END))) / COUNT(*) AS nps,
       SUM(CASE WHEN n.comment LIKE '%elivery%' THEN 1 ELSE 0 END) AS delivery_comments
FROM customer_experience.nps_responses n
JOIN sales_analytics.customers c ON c.customer_id = n.customer_id
GROUP BY c.region
ORDER BY nps DESC, c.region;

-- title: Region scorecard: revenue, support and receivables (all three meshes)
SELECT r.region, r.buying_customers, r.revenue,
       s.tickets, s.avg_satisfaction,
       f.open_invoices, f.outstanding
FROM (SELECT c.region,
             COUNT(DISTINCT o.customer_id) AS buying_customers,
             SUM(o.amount) AS revenue
      FROM sales_analytics.orders o
      JOIN sales_analytics.customers c ON c.customer_id = o.customer_id
      WHERE o.status <> 'cancelled'
      GROUP BY c.region) r
JOIN (SELECT c.region,
             COUNT(*) AS tickets,
             CAST(AVG(t.satisfaction) AS DECIMAL(4,2)) AS avg_satisfaction
      FROM customer_experience.support_tickets t
      JOIN sales_analytics.customers c ON c.customer_id = t.customer_id
      GROUP BY c.region) s ON s.region = r.region
LEFT JOIN (SELECT c.region,
                  COUNT(*) AS open_invoices,
                  SUM(i.amount + i.tax - COALESCE(p.paid, 0.00)) AS outstanding
           FROM financial_reporting.invoices i
           LEFT JOIN (SELECT invoice_id, SUM(amount) AS paid
                      FROM financial_reporting.payments
                      GROUP BY invoice_id) p ON p.invoice_id = i.invoice_id
           JOIN sales_analytics.customers c ON c.customer_id = i.customer_id
           WHERE i.status = 'open'
           GROUP BY c.region) f ON f.region = r.region
ORDER BY r.revenue DESC
LIMIT 10;

-- title: At-risk accounts: overdue balance and unhappy with support (all three meshes)
SELECT c.customer_id, c.name, c.segment, c.region,
       b.overdue_invoices, b.overdue_balance,
       t.rated_tickets, t.avg_satisfaction
FROM sales_analytics.customers c
JOIN (SELECT i.customer_id,
             COUNT(*) AS overdue_invoices,
             SUM(i.amount + i.tax - COALESCE(p.paid, 0.00)) AS overdue_balance
      FROM financial_reporting.invoices i
      LEFT JOIN (SELECT invoice_id, SUM(amount) AS paid
                 FROM financial_reporting.payments
                 GROUP BY invoice_id) p ON p.invoice_id = i.invoice_id
      WHERE i.status = 'open' AND i.due_on < DATE '2024-12-31'
      GROUP BY i.customer_id) b ON b.customer_id = c.customer_id
JOIN (SELECT customer_id,
             COUNT(*) AS rated_tickets,
             CAST(AVG(satisfaction) AS DECIMAL(4,2)) AS avg_satisfaction
      FROM customer_experience.support_tickets
      WHERE satisfaction IS NOT NULL
      GROUP BY customer_id
      HAVING AVG(satisfaction) < 3) t ON t.customer_id = c.customer_id
ORDER BY b.overdue_balance DESC, c.customer_id
LIMIT 10;
