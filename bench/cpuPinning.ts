import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

/** Which core each side of a run gets: gateways on one, the bench (load generator) and subgraphs on the other. */
export interface CpuPinning {
  readonly gatewayCpu: number;
  readonly loadCpu: number;
}

/** The pinning this machine allows: `taskset` on PATH and at least two cores; undefined otherwise, saying why in `reason`. */
export function detectPinning(): { pinning: CpuPinning | undefined; reason: string } {
  if (availableParallelism() < 2) return { pinning: undefined, reason: 'not pinned: fewer than 2 cores' };
  const probe = spawnSync('taskset', ['--version'], { stdio: 'ignore' });
  if (probe.error !== undefined || probe.status !== 0) return { pinning: undefined, reason: 'not pinned: taskset is not on PATH' };
  return { pinning: { gatewayCpu: 0, loadCpu: 1 }, reason: 'gateway pinned to CPU 0 (taskset -c 0); autocannon, the bench process and the subgraphs to CPU 1' };
}

/** Pins every thread of this process (autocannon runs in it) to `cpu`; children started later inherit it. */
export function pinThisProcess(cpu: number): void {
  const result = spawnSync('taskset', ['-a', '-cp', String(cpu), String(process.pid)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`taskset -a -cp ${cpu} ${process.pid} failed: ${result.stderr || String(result.error?.message)}`);
}

/** The command and arguments that run `command args` on `cpu`, or unchanged when `cpu` is undefined. */
export function onCpu(cpu: number | undefined, command: string, args: readonly string[]): [string, string[]] {
  return cpu === undefined ? [command, [...args]] : ['taskset', ['-c', String(cpu), command, ...args]];
}
