import { fileURLToPath } from 'node:url';
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
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

/** A graphql-ws client on a subgraph's WebSocket endpoint, and the close code its connection ends with. */
export function connectSubscriber(graphqlUrl: string, connectionParams: Record<string, unknown> | undefined): { client: Client; closed: Promise<number> } {
  let closedWith: (code: number) => void = () => undefined;
  const closed = new Promise<number>((resolve) => (closedWith = resolve));
  const client = createClient({
    url: graphqlUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams,
    on: { closed: (event) => closedWith(event instanceof Object && 'code' in event && typeof event.code === 'number' ? event.code : -1) },
    onNonLazyError: () => undefined,
  });
  return { client, closed };
}

/** What one subscription received, and how it ended: completed, or an error (a close event or GraphQL errors). */
export interface Subscribed {
  readonly results: FormattedExecutionResult<Record<string, unknown>, unknown>[];
  readonly ended: Promise<{ completed: true } | { error: unknown }>;
}

export function subscribeWith(
  client: Client,
  request: { query: string; variables?: Record<string, unknown>; extensions?: Record<string, unknown> },
): Subscribed {
  const results: FormattedExecutionResult<Record<string, unknown>, unknown>[] = [];
  const ended = new Promise<{ completed: true } | { error: unknown }>((resolve) => {
    client.subscribe(request, {
      next: (result) => void results.push(result),
      complete: () => resolve({ completed: true }),
      error: (error: unknown) => resolve({ error }),
    });
  });
  return { results, ended };
}

/** The subgraph's `subgraph_subscriptions_active` gauge. */
export async function activeSubscriptions(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  return Number(/^subgraph_subscriptions_active\{[^}]*\} (\d+)/m.exec(text)?.[1] ?? 'NaN');
}

/** Resolves once `condition` holds, checking every 20 ms; rejects naming `what` after `timeoutMs`. */
export async function eventually(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
