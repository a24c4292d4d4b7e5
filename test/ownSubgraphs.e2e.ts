import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachLine, terminate } from '../scripts/childProcesses.js';
import { PROJECT_ROOT } from '../scripts/system.js';
import { postGraphQL } from './support/http.js';
import { runSupergate, startSupergate, type RunningSupergate } from './support/supergate.js';

// README "Use Supergate in front of your own subgraphs", from its own code blocks: the files it shows,
// the supergate commands it runs and the query it sends, in a scratch folder. Only the ports differ:
// everything listens on a free one, and the gateway is told where the subgraphs are.

interface Walkthrough {
  /** The files the section writes, by name: each block whose first line is a comment naming one. */
  readonly files: ReadonlyMap<string, string>;
  /** The arguments of each `npx supergate` line, in order. */
  readonly supergate: readonly (readonly string[])[];
  /** The body curl posts, and the answer shown after it. */
  readonly request: string;
  readonly answer: unknown;
}

function readWalkthrough(): Walkthrough {
  const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Use Supergate in front of your own subgraphs');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const blocks = [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((match) => ({ language: match[1]!, text: match[2]! }));
  const files = new Map<string, string>();
  for (const { text } of blocks) {
    const name = /^(?:#|\/\/) ([\w.-]+\.(?:graphql|mjs|yaml))\n/.exec(text)?.[1];
    if (name !== undefined) files.set(name, text);
  }
  const shell = blocks
    .filter((block) => block.language === 'sh')
    .map((block) => block.text)
    .join('\n');
  const supergate = [...shell.matchAll(/^npx supergate (.+)$/gm)].map((match) => match[1]!.trim().split(/\s+/));
  const request = /-d '([^']+)'/.exec(shell)?.[1];
  const answer = blocks.find((block) => block.language === 'json')?.text;
  if (request === undefined || answer === undefined) throw new Error('the walk-through lost its curl request or its answer');
  return { files, supergate, request, answer: JSON.parse(answer) };
}

/** Runs `node <file>` with PORT=0 and resolves with the URL it prints. */
function startSubgraph(dir: string, file: string, started: ChildProcess[]): Promise<string> {
  const child = spawn(process.execPath, [file], { cwd: dir, env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  return new Promise((resolve, reject) => {
    const output: string[] = [];
    forEachLine(child.stdout, (line) => {
      const url = /subgraph at (\S+)/.exec(line)?.[1];
      if (url !== undefined) resolve(url);
    });
    forEachLine(child.stderr, (line) => output.push(line));
    child.once('exit', (code) => reject(new Error(`${file} exited (code ${String(code)}) before it listened:\n${output.join('\n')}`)));
  });
}

describe('the walk-through for your own subgraphs', () => {
  const walkthrough = readWalkthrough();
  const subgraphs: ChildProcess[] = [];
  let dir: string;
  let gateway: RunningSupergate | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'supergate-own-subgraphs-'));
    // What `npm install` gives the folder.
    symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    for (const [name, text] of walkthrough.files) writeFileSync(join(dir, name), text);
  });

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all(subgraphs.map((child) => terminate(child)));
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows two subgraphs, their SDL, a supergraph.yaml, a compose and a serve command', () => {
    expect([...walkthrough.files.keys()].sort()).toEqual(['products.graphql', 'products.mjs', 'reviews.graphql', 'reviews.mjs', 'supergraph.yaml']);
    expect(walkthrough.supergate.map((args) => args[0])).toEqual(['compose', '--supergraph']);
  });

  it('composes with supergate compose, serves with supergate, and answers the federated query it shows', async () => {
    const [productsUrl, reviewsUrl] = await Promise.all([startSubgraph(dir, 'products.mjs', subgraphs), startSubgraph(dir, 'reviews.mjs', subgraphs)]);
    const [compose, serve] = walkthrough.supergate;
    const composed = await runSupergate(compose!, { cwd: dir });
    expect(composed).toMatchObject({ code: 0, stdout: '' });
    expect(readFileSync(join(dir, 'supergraph.graphql'), 'utf8')).toContain('@join__graph(name: "reviews", url: "http://localhost:4002/")');

    gateway = await startSupergate(
      [...serve!, '--port', '0', '--metrics-port', '0', '--subgraph-url', `products=${productsUrl}`, '--subgraph-url', `reviews=${reviewsUrl}`],
      { cwd: dir },
    );
    const { query } = JSON.parse(walkthrough.request) as { query: string };
    const answer = await postGraphQL(gateway.url, query);
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: walkthrough.answer });
  });
});
