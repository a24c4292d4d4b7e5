import type DataLoader from 'dataloader';
import { NotFoundError } from './errors.js';

/**
 * Orders rows to match `keys`, as DataLoader requires: one entry per key,
 * a `NotFoundError` where no row matched.
 */
export function byKey<K extends string, R>(type: string, keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): (R | Error)[] {
  const found = new Map<K, R>();
  for (const row of rows) found.set(keyOf(row), row);
  return keys.map((key) => found.get(key) ?? new NotFoundError(type, key));
}

/** Groups rows under each key (one-to-many), an empty list for keys without rows. */
export function groupByKey<K extends string, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): R[][] {
  const groups = new Map<K, R[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [row]);
    else group.push(row);
  }
  return keys.map((key) => groups.get(key) ?? []);
}

/** Loads a key, answering `null` instead of failing when it does not exist. */
export async function loadOrNull<K, V>(loader: DataLoader<K, V>, key: K): Promise<V | null> {
  try {
    return await loader.load(key);
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}
