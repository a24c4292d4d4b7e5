CREATE TABLE reviews (
  id text PRIMARY KEY,
  upc text NOT NULL,
  author_id text NOT NULL,
  body text NOT NULL,
  rating integer NOT NULL CHECK (rating BETWEEN 1 AND 5),
  created_at timestamptz NOT NULL DEFAULT now()
);
-- Both match the newest-first order the loaders read in.
CREATE INDEX reviews_upc ON reviews (upc, created_at DESC, id);
CREATE INDEX reviews_author_id ON reviews (author_id, created_at DESC, id);
