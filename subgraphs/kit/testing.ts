import { fileURLToPath } from 'node:url';
import { openDatabase, type Database, type Queryable } from './database.js';
import { SubgraphError } from './errors.js';
import { migrate } from './migrate.js';

/** The service's database with its migrations and seed applied, for in-process tests: embedded unless `databaseUrl` names a PostgreSQL database. */
export async function openMigratedDatabase(service: string, migrationsUrl: URL, databaseUrl?: string): Promise<Database> {
  const db = await openDatabase(service, databaseUrl);
  await migrate(db, fileURLToPath(migrationsUrl));
  return db;
}

/** The `SubgraphError` a promise rejects with, as a client would see its message and extensions. */
export async function errorOf(promise: Promise<unknown>): Promise<{ message: string; extensions: Record<string, unknown> }> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof SubgraphError)) throw new Error(`expected a SubgraphError, got ${String(error)}`);
  return { message: error.message, extensions: { ...error.extensions } };
}

/** The same database, pushing every statement sent outside a transaction onto `statements` (to count SQL per request). */
export function recordingDatabase(inner: Database, statements: string[]): Database {
  const query: Queryable['query'] = (sql, params) => {
    statements.push(sql);
    return inner.query(sql, params);
  };
  return { ...inner, query };
}
