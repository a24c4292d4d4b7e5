import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { builtFile, GATEWAY_ENTRY, PROJECT_ROOT, subgraphEntry, type ServiceRuntime } from '../scripts/serviceCommands.js';
import { startTargetProcess } from './processes.js';

// npm run build, then: npx tsx bench/startup.ts [--runs 7]
// Start-up of the gateway and of one subgraph, from sources through tsx and from dist/
// with plain node, measured the same way: spawn to the `listening on` line, the CPU the
// process used until then, and its resident memory a second later. Runs alternate between
// the forms and the processes, so load from anything else on the machine falls on all alike.

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive whole number; got "${values.runs}"`);

const TARGETS = [
  { name: 'gateway', entry: GATEWAY_ENTRY, env: { PORT: '0', METRICS_PORT: '0' } },
  { name: 'accounts', entry: subgraphEntry('accounts'), env: { PORT: '0' } },
];
const RUNTIMES: readonly ServiceRuntime[] = ['sources', 'built'];
const SETTLE_MS = 1_000;
const CLOCK_TICKS_PER_SECOND = 100;

for (const { entry } of TARGETS) {
  if (!existsSync(join(PROJECT_ROOT, builtFile(entry)))) throw new Error(`${builtFile(entry)} is missing: run npm run build first`);
}

/** User plus system CPU time a process has used, from /proc/<pid>/stat. */
function cpuMs(pid: number): number {
  // The fields after the command name (in parentheses, which may hold spaces): utime and stime are the 12th and 13th.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND) * 1000;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

interface Sample {
  startMs: number;
  cpuMs: number;
  rssMb: number;
}

const results = TARGETS.flatMap((target) => RUNTIMES.map((runtime) => ({ target, runtime, samples: [] as Sample[] })));
for (let run = 0; run < runs; run += 1) {
  for (const { target, runtime, samples } of results) {
    const spawned = performance.now();
    const started = await startTargetProcess(target.name, target.entry, target.env, { runtime });
    const startMs = performance.now() - spawned;
    const cpu = cpuMs(started.pid);
    await sleep(SETTLE_MS);
    samples.push({ startMs, cpuMs: cpu, rssMb: started.rssMb() ?? Number.NaN });
    await started.stop();
  }
}

console.log(`| process | runs from | spawn to listening (ms) | CPU until listening (ms) | RSS ${SETTLE_MS / 1000} s later (MB) |`);
console.log('|---|---|---:|---:|---:|');
for (const { target, runtime, samples } of results) {
  const from = runtime === 'built' ? 'dist/ (node)' : 'sources (tsx)';
  const row = [median(samples.map((s) => s.startMs)), median(samples.map((s) => s.cpuMs)), median(samples.map((s) => s.rssMb))].map((value) =>
    value.toFixed(0),
  );
  console.log(`| ${target.name} | ${from} | ${row.join(' | ')} |`);
}
console.log(`\nMedians of ${runs} runs each, alternating; tsx with its compile cache warm after the first run.`);
