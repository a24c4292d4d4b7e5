import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, type RunningSystem, type startSystem as startSystemFunction } from '../scripts/system.js';
import { postGraphQL } from './support/http.js';
import { copyRepository } from './support/repositoryCopy.js';

// README "Add a subgraph", step by step, in a copy of the repository: the scaffold
// writes into the copy and the copy's own launcher runs it, so the real tree is never touched.

const NAME = 'warranty';

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: readonly string[], cwd: string): Promise<RunResult> {
  // A nested vitest must not think it is one of this run's workers.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST')));
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- execFile's error is an Error; its Omit<ExecException> type hides that from the rule
      if (error !== null && typeof error.code !== 'number') reject(error);
      else resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
    });
  });
}

/** Everything the scaffold may write, to show a refused run changed nothing. */
function snapshot(root: string): Record<string, unknown> {
  const read = (path: string) => readFileSync(join(root, path), 'utf8');
  return {
    subgraphs: readdirSync(join(root, 'subgraphs')).sort(),
    registry: read('schema/supergraph.yaml'),
    supergraph: read('schema/supergraph.graphql'),
    dockerCompose: read('docker-compose.yml'),
    kubernetes: readdirSync(join(root, 'deploy', 'k8s'), { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => [entry.name, read(join('deploy', 'k8s', entry.name))])
      .sort(),
  };
}

describe('adding a subgraph as the README walks through it', () => {
  let root: string;
  let system: RunningSystem | undefined;
  const output: string[] = [];

  beforeAll(() => {
    root = copyRepository('supergate-add-subgraph-');
  });

  afterAll(async () => {
    await system?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('refuses a bad, reserved or taken name with exit code 1 and writes nothing', async () => {
    const before = snapshot(root);
    const refusals: [string, RegExp][] = [
      ['Warranty', /"Warranty" is not a valid subgraph name: use 2 to 31 lowercase letters and digits, starting with a letter/],
      ['kit', /"kit" is reserved/],
      ['products', /A subgraph named "products" is already registered/],
      ['product', /already has a type named Product/],
    ];
    for (const [name, message] of refusals) {
      const result = await run(process.execPath, ['--import', 'tsx', 'scripts/newSubgraph.ts', name, '--root', root], PROJECT_ROOT);
      expect({ name, code: result.code, stdout: result.stdout }).toEqual({ name, code: 1, stdout: '' });
      expect(result.stderr).toMatch(message);
    }
    expect(snapshot(root)).toEqual(before);
  });

  it('scaffolds a subgraph that npm start runs and the gateway joins with products', { timeout: 180_000 }, async () => {
    const started = performance.now();
    const scaffold = await run('npm', ['run', '--silent', 'subgraph:new', '--', NAME], root);
    expect({ code: scaffold.code, stderr: scaffold.stderr.replace(/^npm warn .*\n/gm, '') }).toEqual({ code: 0, stderr: '' });
    expect(scaffold.stdout).toContain(`Created subgraph "${NAME}" (port 4006)`);
    const scaffolded = performance.now();

    // What `npm start` runs (scripts/start.ts), from the copy, on free ports.
    const { startSystem } = (await import(pathToFileURL(join(root, 'scripts', 'system.ts')).href)) as { startSystem: typeof startSystemFunction };
    system = await startSystem({ freePorts: true, env: { NODE_ENV: 'test' }, log: (line) => output.push(line) });
    const running = performance.now();
    const top = await postGraphQL<{ topProducts: { upc: string; name: string }[] }>(
      system.gatewayUrl,
      `{ topProducts(first: 2) { upc name ${NAME} { id description product { name } } } }`,
    );
    const answered = performance.now();
    const seconds = (from: number, to: number): string => ((to - from) / 1000).toFixed(1);
    console.log(
      `Add a subgraph: scaffold to first answer through the gateway in ${seconds(started, answered)} s ` +
        `(scaffold and compose ${seconds(started, scaffolded)} s, start ${system.services.size} processes ${seconds(scaffolded, running)} s, first query ${seconds(running, answered)} s)`,
    );

    expect(system.services.has(NAME)).toBe(true);
    const products = top.body.data?.topProducts ?? [];
    expect(products).toHaveLength(2);
    expect({ status: top.status, body: top.body }).toEqual({
      status: 200,
      body: {
        data: {
          topProducts: products.map(({ upc, name }) => ({
            upc,
            name,
            [NAME]: Number(upc) % 3 === 0 ? null : { id: `${NAME}-${upc}`, description: `Warranty for product ${upc}`, product: { name } },
          })),
        },
      },
    });

    const byId = await postGraphQL(system.gatewayUrl, `{ ${NAME}(id: "${NAME}-1") { description product { upc name price } } }`);
    expect(byId.body).toEqual({
      data: { [NAME]: { description: 'Warranty for product 1', product: { upc: '1', name: expect.any(String), price: expect.any(Number) } } },
    });
    await system.stop();
    system = undefined;
  });

  it(
    "leaves a tree whose new unit tests, the registry's checks, lint, formatting, strict type check and schema:check all pass",
    { timeout: 300_000 },
    async () => {
      // The new subgraph's own tests, and every unit test that reads the registry or walks subgraphs/:
      // the rest of the unit project cannot see a new subgraph and already ran on the real tree.
      const readTheRegistry = [
        'schema/supergraph.test.ts',
        'gateway/src/rateLimits/fieldRateLimits.test.ts',
        'test/compose-file.test.ts',
        'test/deploy-manifests.test.ts',
        'test/configDocs.test.ts',
        'test/runtimeAssets.test.ts',
      ];
      const tests = await run('npx', ['vitest', 'run', '--project', 'unit', `subgraphs/${NAME}/`, ...readTheRegistry], root);
      expect({ code: tests.code, output: tests.code === 0 ? '' : tests.stdout + tests.stderr }).toEqual({ code: 0, output: '' });
      expect(tests.stdout).toContain(`subgraphs/${NAME}/entities.test.ts`);
      for (const file of readTheRegistry) expect(tests.stdout).toContain(file);

      // The import boundaries are lint rules, read from subgraphs/ as ESLint loads the config: the new folder is held to them as written.
      const lint = await run('npx', ['eslint', `subgraphs/${NAME}`], root);
      expect({ code: lint.code, output: lint.code === 0 ? '' : lint.stdout + lint.stderr }).toEqual({ code: 0, output: '' });
      const formatting = await run('npx', ['prettier', '--check', `subgraphs/${NAME}`], root);
      expect({ code: formatting.code, output: formatting.code === 0 ? '' : formatting.stdout + formatting.stderr }).toEqual({ code: 0, output: '' });

      writeFileSync(join(root, 'tsconfig.scaffold.json'), JSON.stringify({ extends: './tsconfig.json', include: [`subgraphs/${NAME}`] }));
      const types = await run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.scaffold.json'], root);
      expect({ code: types.code, output: types.stdout }).toEqual({ code: 0, output: '' });

      const check = await run('npm', ['run', '--silent', 'schema:check'], root);
      expect({ code: check.code, last: check.stdout.trim().split('\n').at(-1) }).toEqual({
        code: 0,
        last: '✓ The subgraphs compose to schema/supergraph.graphql; no schema changes.',
      });
    },
  );
});
