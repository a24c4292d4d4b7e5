-- Deterministic reviews: five for each of the 1,000 products, one written each hour from 2024-06-01.
-- Authors step by 13 (coprime to 60), so a product's five reviews come from five different users.
INSERT INTO reviews (id, upc, author_id, body, rating, created_at)
SELECT
  'r' || i,
  ((i - 1) / 5 + 1)::text,
  'u' || (1 + (i * 13) % 60),
  (ARRAY[
    'Disappointing; it broke within a week.',
    'Below what I hoped for.',
    'Does the job, nothing more.',
    'Very good, would recommend.',
    'Excellent, exactly as described!'
  ])[r.rating],
  r.rating,
  timestamptz '2024-06-01 00:00:00+00' + i * interval '1 hour'
FROM generate_series(1, 5000) AS i
CROSS JOIN LATERAL (SELECT (ARRAY[5, 4, 5, 3, 4, 2, 5, 4, 1, 3, 5])[1 + (i * 7) % 11] AS rating) AS r
ON CONFLICT DO NOTHING;
