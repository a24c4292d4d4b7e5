-- Set when a reservation's units went back to stock (its order never completed). A released id never reserves again.
ALTER TABLE reservations ADD COLUMN released_at timestamptz;
