-- Deterministic catalog: 1,000 products across six categories.
INSERT INTO products (position, upc, name, description, price, weight, category, popularity)
SELECT
  i,
  i::text,
  (ARRAY['Classic', 'Compact', 'Deluxe', 'Eco', 'Ultra', 'Smart', 'Vintage', 'Pro'])[1 + i % 8] || ' ' ||
    (ARRAY['Lamp', 'Chair', 'Kettle', 'Backpack', 'Headphones', 'Notebook', 'Blender', 'Jacket', 'Watch', 'Speaker'])[1 + (i / 8) % 10] ||
    ' ' || i,
  'A dependable everyday item, model ' || i || ', built to last.',
  199 + (i * 7919) % 149801,
  50 + (i * 131) % 4950,
  (ARRAY['home', 'kitchen', 'electronics', 'outdoors', 'office', 'apparel'])[1 + i % 6],
  (i * 7877) % 1000
FROM generate_series(1, 1000) AS i
ON CONFLICT (upc) DO NOTHING;
