-- One idempotency key, one request: keys belong to their buyer, and an order
-- remembers a fingerprint of the items it was placed with.
ALTER TABLE orders DROP CONSTRAINT orders_idempotency_key_key;
ALTER TABLE orders ADD CONSTRAINT orders_buyer_idempotency_key UNIQUE (buyer_id, idempotency_key);

-- NULL for orders placed before fingerprints; theirs is computed from their lines.
ALTER TABLE orders ADD COLUMN request_fingerprint text;

-- PENDING: the key is claimed and stock is being reserved; the order's lines
-- and total are written when it becomes PLACED. PENDING orders are never shown.
ALTER TABLE orders DROP CONSTRAINT orders_status_check;
ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status IN ('PENDING', 'PLACED', 'SHIPPED', 'DELIVERED', 'CANCELLED'));
CREATE INDEX orders_pending_created ON orders (created_at) WHERE status = 'PENDING';

-- Reservations of orders that never completed, until inventory confirms it put their units back.
CREATE TABLE abandoned_reservations (
  reservation_id text PRIMARY KEY,
  abandoned_at timestamptz NOT NULL DEFAULT now()
);
