-- Deterministic accounts: 60 users, one signing up each day from 2024-01-02.
INSERT INTO users (position, id, username, email, created_at)
SELECT
  i,
  'u' || i,
  'user' || i,
  'user' || i || '@example.com',
  timestamptz '2024-01-01 00:00:00+00' + i * interval '1 day'
FROM generate_series(1, 60) AS i
ON CONFLICT DO NOTHING;
