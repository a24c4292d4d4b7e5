import type { Queryable } from '../kit/database.js';

export interface ProductRow {
  [column: string]: unknown;
  position: number;
  upc: string;
  name: string;
  description: string;
  price: number;
  weight: number;
  category: string;
}

const COLUMNS = 'position, upc, name, description, price, weight, category';

export async function productsByUpc(db: Queryable, upcs: readonly string[]): Promise<ProductRow[]> {
  const { rows } = await db.query<ProductRow>(`SELECT ${COLUMNS} FROM products WHERE upc = ANY($1::text[])`, [upcs]);
  return rows;
}

export async function topProducts(db: Queryable, limit: number): Promise<ProductRow[]> {
  const { rows } = await db.query<ProductRow>(`SELECT ${COLUMNS} FROM products ORDER BY popularity DESC, position LIMIT $1`, [limit]);
  return rows;
}

/** One page after `afterPosition`, fetching one extra row to tell whether another page exists. */
export async function productPage(db: Queryable, category: string | null, afterPosition: number, limit: number): Promise<ProductRow[]> {
  const { rows } = await db.query<ProductRow>(
    `SELECT ${COLUMNS} FROM products
     WHERE ($1::text IS NULL OR category = $1) AND position > $2
     ORDER BY position LIMIT $3`,
    [category, afterPosition, limit + 1],
  );
  return rows;
}

export async function countProducts(db: Queryable, category: string | null): Promise<number> {
  const { rows } = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM products WHERE ($1::text IS NULL OR category = $1)', [category]);
  return rows[0]?.count ?? 0;
}

export async function categories(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ category: string }>('SELECT DISTINCT category FROM products ORDER BY category');
  return rows.map((row) => row.category);
}
