import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRegistry } from '../schema/registry.js';
import { builtFile, GATEWAY_ENTRY, nodeArguments, subgraphEntry } from '../scripts/serviceCommands.js';
import { PROJECT_ROOT, startSystem, type RunningSystem } from '../scripts/system.js';
import { assertBuilt } from './support/buildOutputs.js';
import { envOf, readDockerfile, type DockerStage } from './support/dockerfile.js';
import { postGraphQL } from './support/http.js';
import { startPrivateRedis, type PrivateRedis } from './support/redisServer.js';

// The image's runtime stage, replayed outside Docker: the Dockerfile's COPY and RUN steps
// in a scratch folder (outside this checkout, so nothing resolves from its node_modules),
// then every service started from there with plain node, as the image's commands do.
// It proves the runtime needs nothing from the development dependencies.

const run = promisify(execFile);
const JWT_SECRET = 'artefact-test-secret-0123456789abcdef-0123456789';

const stages = readDockerfile(join(PROJECT_ROOT, 'Dockerfile'));
const buildStage = stages.find((stage) => stage.name === 'build');
const runtimeStage = stages.at(-1);

/** The folder an instruction list last set with WORKDIR. */
function workdir(stage: DockerStage): string {
  const set = stage.instructions.filter((instruction) => instruction.keyword === 'WORKDIR').at(-1)?.args[0];
  if (set === undefined) throw new Error('the Dockerfile stage sets no WORKDIR');
  return set;
}

/** Environment for a RUN step: this machine's, without what the npm and vitest running this test put there. */
function stepEnv(stageEnv: Readonly<Record<string, string>>): Record<string, string> {
  const own = Object.entries(process.env).filter(([key]) => !key.startsWith('npm_') && !key.startsWith('VITEST'));
  // Packages come from the local cache when it has them: the registry is the fallback, not the norm.
  return { ...Object.fromEntries(own.filter((entry): entry is [string, string] => entry[1] !== undefined)), ...stageEnv, npm_config_prefer_offline: 'true' };
}

/**
 * Runs the runtime stage's steps in `dir` (its WORKDIR): COPY from the build context
 * (this checkout) or from the build stage (this checkout after `npm run build`), RUN in
 * a shell, ENV into the environment. Returns that environment and the CMD.
 */
async function replayRuntimeStage(dir: string): Promise<{ env: Record<string, string>; command: readonly string[] }> {
  if (buildStage === undefined || runtimeStage === undefined || buildStage === runtimeStage)
    throw new Error('the Dockerfile needs a "build" stage and a runtime stage after it');
  const env: Record<string, string> = {};
  let command: readonly string[] = [];
  for (const instruction of runtimeStage.instructions) {
    switch (instruction.keyword) {
      case 'WORKDIR':
      case 'USER':
        break;
      case 'ENV':
        Object.assign(env, envOf(instruction));
        break;
      case 'COPY': {
        const from = instruction.flags['from'];
        if (from !== undefined && from !== buildStage.name) throw new Error(`COPY --from=${from}: only the build stage is replayed`);
        const destination = instruction.args.at(-1) ?? '.';
        for (const source of instruction.args.slice(0, -1)) {
          const path = from === undefined ? join(PROJECT_ROOT, source) : join(PROJECT_ROOT, relative(workdir(buildStage), source));
          const target = destination.endsWith('/') ? join(dir, destination, basename(source)) : join(dir, destination);
          mkdirSync(dirname(target), { recursive: true });
          cpSync(path, target, { recursive: true });
        }
        break;
      }
      case 'RUN':
        await run('sh', ['-c', instruction.text], { cwd: dir, env: stepEnv(env), maxBuffer: 16 * 1024 * 1024 });
        break;
      case 'CMD':
        command = instruction.args;
        break;
      default:
        throw new Error(`the runtime stage uses ${instruction.keyword}, which this test does not replay`);
    }
  }
  return { env, command };
}

/** The command lines of the processes whose parent is `pid`, from /proc. */
function childCommands(pid: number): string[][] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        // After the command name, in parentheses that may hold spaces: state, then the parent's pid.
        const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return parent === pid
          ? [
              readFileSync(`/proc/${name}/cmdline`, 'utf8')
                .split('\0')
                .filter((arg) => arg !== ''),
            ]
          : [];
      } catch {
        // Gone between listing and reading.
        return [];
      }
    });
}

/** What a client sees for `query` at `url`, signed in as `sub` with a token for the test's JWT_SECRET. */
async function answer(url: string, query: string, sub?: string): Promise<{ status: number; body: unknown }> {
  const headers =
    sub === undefined ? {} : { authorization: `Bearer ${jwt.sign({ scope: '' }, JWT_SECRET, { algorithm: 'HS256', subject: sub, expiresIn: 300 })}` };
  const response = await postGraphQL(url, query, undefined, headers);
  return { status: response.status, body: response.body };
}

describe("the image's runtime stage, replayed outside Docker", () => {
  let dir: string;
  let imageCommand: readonly string[];
  let system: RunningSystem;
  let redis: PrivateRedis | undefined;
  const output: string[] = [];

  beforeAll(async () => {
    assertBuilt();
    dir = mkdtempSync(join(tmpdir(), 'supergate-artefact-'));
    const { env, command } = await replayRuntimeStage(dir);
    // PGlite's initdb snapshot is a start-up cache the embedded database keeps beside its package
    // (subgraphs/kit/database.ts), not something the runtime needs: this checkout's saves each subgraph seconds of CPU.
    const snapshots = join(PROJECT_ROOT, 'node_modules', '.cache', 'supergate');
    if (existsSync(snapshots)) cpSync(snapshots, join(dir, 'node_modules', '.cache', 'supergate'), { recursive: true });
    imageCommand = command;
    system = await startSystem({
      freePorts: true,
      runtime: 'built',
      root: dir,
      subgraphs: readRegistry(join(dir, 'dist', 'schema', 'supergraph.yaml')),
      // The image's environment (production mode), on loopback rather than every interface; nothing preloaded.
      env: { ...env, HOST: '127.0.0.1', NODE_OPTIONS: '', NODE_PATH: '', JWT_SECRET },
      log: (line) => output.push(line),
      // Several embedded databases start at once on a machine that may be running other suites too.
      startTimeoutMs: 120_000,
    });
  }, 300_000);

  afterAll(async () => {
    await system?.stop();
    await redis?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  });

  it('holds the production dependencies and dist/, and no package only the development dependencies need', () => {
    const lock = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const developmentOnly = Object.entries(lock.packages)
      .filter(([, entry]) => entry.dev === true)
      .map(([path]) => path);
    expect(developmentOnly).toEqual(expect.arrayContaining(['node_modules/tsx', 'node_modules/typescript', 'node_modules/vitest']));
    expect(readdirSync(dir).sort()).toEqual(['dist', 'node_modules', 'package-lock.json', 'package.json']);
    expect(developmentOnly.filter((path) => existsSync(join(dir, path)))).toEqual([]);
  });

  it('runs every service with plain node on its built file, the gateway as the image CMD does', () => {
    const byName = (a: { name: string }, b: { name: string }): number => a.name.localeCompare(b.name);
    const started = [...system.services.values()].map((service) => ({ name: service.name, args: service.process.spawnargs.slice(1) }));
    const entries = [{ name: 'gateway', entry: GATEWAY_ENTRY }, ...readRegistry().map((entry) => ({ name: entry.name, entry: subgraphEntry(entry.name) }))];
    expect(started.sort(byName)).toEqual(entries.map(({ name, entry }) => ({ name, args: nodeArguments(entry, 'built') })).sort(byName));
    expect(['node', ...nodeArguments(GATEWAY_ENTRY, 'built')]).toEqual(imageCommand);
    expect(output.filter((line) => line.includes('listening on')).every((line) => !line.includes('development mode'))).toBe(true);
  });

  it('answers a query that needs accounts, products, inventory and reviews', async () => {
    const query =
      '{ me { username email } product(upc: "1") { upc name price inStock quantity averageRating reviews(first: 2) { rating author { username } } } }';
    expect(await answer(system.gatewayUrl, query, 'u1')).toEqual({
      status: 200,
      body: {
        data: {
          me: { username: 'user1', email: 'user1@example.com' },
          product: {
            upc: '1',
            name: 'Compact Lamp 1',
            price: 8118,
            inStock: true,
            quantity: 38,
            averageRating: 4.4,
            reviews: [
              { rating: 5, author: { username: 'user6' } },
              { rating: 5, author: { username: 'user53' } },
            ],
          },
        },
      },
    });
  });

  it('places an order, which orders checks with products and inventory as itself', async () => {
    const mutation =
      'mutation { placeOrder(input: { idempotencyKey: "artefact-1", items: [{ upc: "2", quantity: 2 }] }) { total status buyer { username } items { quantity unitPrice product { name } } } }';
    const order = {
      total: 32074,
      status: 'PLACED',
      buyer: { username: 'user2' },
      items: [{ quantity: 2, unitPrice: 16037, product: { name: 'Deluxe Lamp 2' } }],
    };
    expect(await answer(system.gatewayUrl, mutation, 'u2')).toEqual({ status: 200, body: { data: { placeOrder: order } } });
  });

  it('forks gateway workers from the built file too', async () => {
    // More than one worker needs Redis, where the workers share cache entries and counters.
    redis = await startPrivateRedis();
    const gateway = await system.addGateway({ GATEWAY_WORKERS: '2', REDIS_URL: redis.url });
    const primary = gateway.process.pid ?? -1;
    await expect.poll(() => childCommands(primary).length).toBe(2);
    expect(childCommands(primary).map((command) => command.slice(1))).toEqual([
      ['--enable-source-maps', join(dir, builtFile(GATEWAY_ENTRY))],
      ['--enable-source-maps', join(dir, builtFile(GATEWAY_ENTRY))],
    ]);
    expect(await answer(gateway.url, '{ product(upc: "1") { name inStock } }')).toEqual({
      status: 200,
      body: { data: { product: { name: 'Compact Lamp 1', inStock: true } } },
    });
  });
});
