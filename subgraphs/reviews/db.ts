import type { Queryable } from '../kit/database.js';

export interface ReviewRow {
  [column: string]: unknown;
  id: string;
  upc: string;
  author_id: string;
  body: string;
  rating: number;
  created_at: Date;
}

export interface AverageRatingRow {
  [column: string]: unknown;
  upc: string;
  average: number;
}

export interface NewReview {
  upc: string;
  authorId: string;
  body: string;
  rating: number;
}

const COLUMNS = 'id, upc, author_id, body, rating, created_at';
const NEWEST_FIRST = 'created_at DESC, id';

export async function reviewsById(db: Queryable, ids: readonly string[]): Promise<ReviewRow[]> {
  const { rows } = await db.query<ReviewRow>(`SELECT ${COLUMNS} FROM reviews WHERE id = ANY($1::text[])`, [ids]);
  return rows;
}

/** The newest `limit` reviews of each product, newest first, in one statement for all of them. */
export async function newestReviewsByUpc(db: Queryable, upcs: readonly string[], limit: number): Promise<ReviewRow[]> {
  const { rows } = await db.query<ReviewRow>(
    `SELECT ${COLUMNS} FROM (
       SELECT ${COLUMNS}, row_number() OVER (PARTITION BY upc ORDER BY ${NEWEST_FIRST}) AS rank
       FROM reviews WHERE upc = ANY($1::text[])
     ) AS ranked
     WHERE rank <= $2
     ORDER BY upc, rank`,
    [upcs, limit],
  );
  return rows;
}

export async function reviewsByAuthor(db: Queryable, authorIds: readonly string[]): Promise<ReviewRow[]> {
  const { rows } = await db.query<ReviewRow>(`SELECT ${COLUMNS} FROM reviews WHERE author_id = ANY($1::text[]) ORDER BY ${NEWEST_FIRST}`, [authorIds]);
  return rows;
}

/** Products without reviews have no row. */
export async function averageRatings(db: Queryable, upcs: readonly string[]): Promise<AverageRatingRow[]> {
  // avg() of integers is numeric, which node-postgres returns as a string.
  const { rows } = await db.query<AverageRatingRow>('SELECT upc, avg(rating)::float8 AS average FROM reviews WHERE upc = ANY($1::text[]) GROUP BY upc', [upcs]);
  return rows;
}

export async function insertReview(db: Queryable, review: NewReview): Promise<ReviewRow> {
  const { rows } = await db.query<ReviewRow>(
    `INSERT INTO reviews (id, upc, author_id, body, rating) VALUES (gen_random_uuid()::text, $1, $2, $3, $4) RETURNING ${COLUMNS}`,
    [review.upc, review.authorId, review.body, review.rating],
  );
  const row = rows[0];
  if (row === undefined) throw new Error('INSERT ... RETURNING gave no row');
  return row;
}
