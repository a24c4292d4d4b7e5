import type { Queryable } from '../kit/database.js';

export interface UserRow {
  [column: string]: unknown;
  position: number;
  id: string;
  username: string;
  email: string;
  created_at: Date;
}

const COLUMNS = 'position, id, username, email, created_at';

export async function usersById(db: Queryable, ids: readonly string[]): Promise<UserRow[]> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = ANY($1::text[])`, [ids]);
  return rows;
}

/** One page after `afterPosition`, fetching one extra row to tell whether another page exists. */
export async function userPage(db: Queryable, afterPosition: number, limit: number): Promise<UserRow[]> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE position > $1 ORDER BY position LIMIT $2`, [afterPosition, limit + 1]);
  return rows;
}

export async function countUsers(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM users');
  return rows[0]?.count ?? 0;
}
