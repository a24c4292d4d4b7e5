import { connect } from 'node:net';
import { createScratchDatabase, POSTGRES_URL } from '../test/support/postgres.js';

/** Where the subgraphs keep their data for one run. */
export interface BenchDatabase {
  /** Environment for the subgraphs, overriding any DATABASE_URL the caller has set. */
  readonly env: Readonly<Record<string, string>>;
  /** One line for the output, saying which database and why. */
  readonly description: string;
  /** Drops the scratch database; does nothing for embedded ones. */
  drop(): Promise<void>;
}

/**
 * A scratch PostgreSQL database when PostgreSQL answers (at TEST_POSTGRES_URL, by default
 * 127.0.0.1:5432), else the embedded one, so every run starts from the same seed.
 */
export async function openBenchDatabase(subgraphNames: readonly string[]): Promise<BenchDatabase> {
  // Blank, so a service-specific database URL in the caller's environment cannot send one service elsewhere.
  const perService = Object.fromEntries(subgraphNames.map((name) => [`${name.toUpperCase()}_DATABASE_URL`, '']));
  const server = new URL(POSTGRES_URL);
  const where = `${server.hostname}:${server.port || '5432'}`;
  const embedded = (why: string): BenchDatabase => ({
    env: { ...perService, DATABASE_URL: '' },
    description: `embedded PGlite in each subgraph (${why})`,
    drop: async () => {},
  });
  if (!(await isListening(server.hostname, Number(server.port || '5432')))) return embedded(`PostgreSQL not reachable at ${where}`);
  try {
    const scratch = await createScratchDatabase('supergate_bench');
    return {
      env: { ...perService, DATABASE_URL: scratch.url },
      description: `PostgreSQL at ${where}, scratch database ${new URL(scratch.url).pathname.slice(1)} (dropped on exit)`,
      drop: () => scratch.drop(),
    };
  } catch (error) {
    return embedded(`could not create a scratch database at ${where}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function isListening(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (listening: boolean): void => {
      socket.destroy();
      resolve(listening);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}
