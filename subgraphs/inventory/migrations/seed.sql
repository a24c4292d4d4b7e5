-- Deterministic stock for the 1,000 catalog products: 1 to 100 units, none for every 17th.
-- DO NOTHING so a restart never refills stock that orders have taken.
INSERT INTO stock (upc, quantity)
SELECT i::text, CASE WHEN i % 17 = 0 THEN 0 ELSE 1 + (i * 37) % 100 END
FROM generate_series(1, 1000) AS i
ON CONFLICT (upc) DO NOTHING;
