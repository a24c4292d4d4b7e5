CREATE TABLE users (
  position integer PRIMARY KEY,
  id text NOT NULL UNIQUE,
  username text NOT NULL UNIQUE,
  email text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL
);
