CREATE TABLE stock (
  upc text PRIMARY KEY,
  quantity integer NOT NULL CHECK (quantity >= 0)
);

CREATE TABLE reservations (
  id text PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- What each reservation took, kept for audit.
CREATE TABLE reservation_items (
  reservation_id text NOT NULL REFERENCES reservations (id),
  upc text NOT NULL,
  quantity integer NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (reservation_id, upc)
);
