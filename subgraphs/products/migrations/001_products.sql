CREATE TABLE products (
  position integer PRIMARY KEY,
  upc text NOT NULL UNIQUE,
  name text NOT NULL,
  description text NOT NULL,
  price integer NOT NULL CHECK (price >= 0),
  weight integer NOT NULL CHECK (weight >= 0),
  category text NOT NULL,
  popularity integer NOT NULL DEFAULT 0
);
CREATE INDEX products_category_position ON products (category, position);
CREATE INDEX products_popularity ON products (popularity DESC, position);
