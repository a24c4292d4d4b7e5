-- Deterministic history: 20 orders of 1 to 3 items for buyers among u1..u60.
-- Ids are UUIDs derived from the seed key, shaped like those placeOrder creates.
-- Items are inserted only for orders this run inserted, so a restart adds nothing.
WITH items AS (
  SELECT
    i,
    md5('seed-' || i)::uuid::text AS order_id,
    j AS position,
    (1 + (i * 37 + j * 101) % 1000)::text AS upc,
    1 + (i + j) % 3 AS quantity,
    199 + ((i * 131 + j * 17) * 7919) % 149801 AS unit_price
  FROM generate_series(1, 20) AS i, generate_series(1, 1 + i % 3) AS j
), inserted AS (
  INSERT INTO orders (id, buyer_id, idempotency_key, status, total, created_at)
  SELECT
    order_id,
    'u' || (1 + (i * 7) % 60),
    'seed-' || i,
    (ARRAY['PLACED', 'SHIPPED', 'DELIVERED', 'CANCELLED'])[1 + i % 4],
    sum(quantity * unit_price),
    timestamptz '2024-01-01 09:00:00+00' + i * interval '1 day 3 hours'
  FROM items
  GROUP BY i, order_id
  ON CONFLICT (buyer_id, idempotency_key) DO NOTHING
  RETURNING id
)
INSERT INTO order_items (order_id, position, upc, quantity, unit_price)
SELECT items.order_id, items.position, items.upc, items.quantity, items.unit_price
FROM items JOIN inserted ON inserted.id = items.order_id;
