import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { EventCounter } from './metrics.js';

export type Row = Record<string, unknown>;

/** The part of a database connection resolvers use: parameterised SQL. */
export interface Queryable {
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
  /** Runs a multi-statement script without parameters (migrations, seeds). */
  exec(script: string): Promise<void>;
}

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

/** A subgraph's own database: PostgreSQL when a URL is given, otherwise embedded PGlite. */
export interface Database extends Queryable {
  readonly kind: 'postgres' | 'embedded';
  /**
   * Asks the database for `SELECT 1`, failing after `timeoutMs`; not counted as a resolver's
   * statement. Checks in flight at once share one query.
   */
  ping(timeoutMs: number): Promise<void>;
  /** Runs `work` in one transaction; a thrown error rolls it back. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Opens the database a subgraph owns, counting each statement sent on `statements`.
 * On PostgreSQL the service gets its own schema (named after it) through
 * `search_path`, so services sharing a server still never see each other's tables.
 */
export async function openDatabase(service: string, url: string | undefined, statements: EventCounter = NOT_COUNTED): Promise<Database> {
  if (url === undefined) return openEmbedded(statements);
  return openPostgres(service, url, statements);
}

/** For a database no metrics are kept of (unit tests). */
const NOT_COUNTED: EventCounter = { inc: () => undefined };

/**
 * A freshly initialised, empty PGlite cluster. Running initdb costs about two seconds of
 * CPU per service; starting from a snapshot of its result costs a fraction of that.
 */
async function createPGlite(): Promise<PGlite> {
  const snapshot = await (initdbSnapshot ??= readOrWriteInitdbSnapshot());
  if (snapshot === undefined) return PGlite.create();
  return PGlite.create({ loadDataDir: new Blob([snapshot], { type: 'application/x-tar' }) });
}

/** The uncompressed tarball every embedded database in this process starts from. */
let initdbSnapshot: Promise<Uint8Array | undefined> | undefined;

async function readOrWriteInitdbSnapshot(): Promise<Uint8Array | undefined> {
  const nodeModules = nodeModulesHolding('@electric-sql/pglite');
  if (nodeModules === undefined) return undefined;
  // Keyed by PGlite's version: a data directory only loads into the build that wrote it.
  const { version } = JSON.parse(await readFile(join(nodeModules, '@electric-sql', 'pglite', 'package.json'), 'utf8').catch(() => '{}')) as {
    version?: string;
  };
  return initdbSnapshotAt(join(nodeModules, '.cache', 'supergate', `pglite-${version ?? 'unknown'}-initdb.tar.gz`));
}

/**
 * Reads the gzipped snapshot at `path`, or runs initdb once and keeps its result there.
 * The file is unpacked here rather than by PGlite, whose gzip stream reports a corrupt file as an
 * unhandled rejection instead of a rejected `create`; a corrupt or truncated file fails gunzip's
 * checksum and is replaced.
 */
export async function initdbSnapshotAt(path: string): Promise<Uint8Array> {
  const stored = await readFile(path).catch(() => undefined);
  if (stored !== undefined) {
    try {
      return gunzipSync(stored);
    } catch {
      // Replaced below.
    }
  }
  const db = await PGlite.create();
  try {
    const tarball = new Uint8Array(await (await db.dumpDataDir('none')).arrayBuffer());
    try {
      await mkdir(dirname(path), { recursive: true });
      // Several processes may write at once; each writes a file of its own and renames it into place whole.
      const temporary = `${path}.${process.pid}.${randomUUID()}`;
      await writeFile(temporary, gzipSync(tarball));
      await rename(temporary, path);
    } catch {
      // Without a writable cache each process runs initdb once.
    }
    return tarball;
  } finally {
    await db.close();
  }
}

/** The node_modules folder Node loads `name` from (found as Node finds it, so from sources and from dist/ alike). */
function nodeModulesHolding(name: string): string | undefined {
  const entry = createRequire(import.meta.url).resolve(name);
  const marker = `${sep}node_modules${sep}`;
  const at = entry.lastIndexOf(marker);
  return at === -1 ? undefined : entry.slice(0, at + marker.length - 1);
}

async function openEmbedded(counter: EventCounter): Promise<Database> {
  const db = await createPGlite();
  const wrap = (q: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<T>> {
      counter.inc();
      const result = await q.query<T>(sql, [...params]);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    },
    async exec(script) {
      counter.inc();
      await q.exec(script);
    },
  });
  return {
    kind: 'embedded',
    ...wrap(db),
    ping: sharedPing(async () => {
      await db.query('SELECT 1');
    }),
    transaction: (work) => db.transaction((tx) => work(wrap(tx))),
    close: () => db.close(),
  };
}

async function openPostgres(service: string, url: string, counter: EventCounter): Promise<Database> {
  if (!/^[a-z][a-z0-9_]*$/.test(service)) throw new Error(`invalid service name for a schema: ${service}`);
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA IF NOT EXISTS ${service}`);
  } catch (error) {
    // Two replicas may race to create the schema; the loser sees a unique violation.
    if ((error as { code?: string }).code !== '23505') throw error;
  } finally {
    await admin.end();
  }
  const pool = new pg.Pool({ connectionString: url, options: `-c search_path=${service}`, max: 10 });
  pool.on('error', (error) => console.error(`[${service}] idle database connection failed`, error.message));
  const wrap = (q: pg.Pool | pg.PoolClient): Queryable => ({
    async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<T>> {
      counter.inc();
      const result = await q.query<T>(sql, [...params]);
      return { rows: result.rows, rowCount: result.rowCount ?? result.rows.length };
    },
    async exec(script) {
      counter.inc();
      await q.query(script);
    },
  });
  return {
    kind: 'postgres',
    ...wrap(pool),
    ping: sharedPing(async () => {
      await pool.query('SELECT 1');
    }),
    async transaction(work) {
      const client = await pool.connect();
      const tx = wrap(client);
      try {
        await tx.query('BEGIN');
        const result = await work(tx);
        await tx.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/**
 * A ping that fails after its timeout, and whose query is shared while one is in flight: a
 * database that hangs must not collect a pending query (and a pooled connection) per check.
 */
function sharedPing(query: () => Promise<void>): (timeoutMs: number) => Promise<void> {
  let inFlight: Promise<void> | undefined;
  return (timeoutMs) => {
    inFlight ??= query().finally(() => {
      inFlight = undefined;
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new DatabaseTimeoutError(timeoutMs)), timeoutMs);
    });
    return Promise.race([inFlight, timedOut]).finally(() => clearTimeout(timer));
  };
}

/** The database did not answer a ping in time. */
export class DatabaseTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`the database did not answer within ${timeoutMs} ms`);
    this.name = 'DatabaseTimeoutError';
  }
}
