import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { forEachLine, terminate } from '../scripts/childProcesses.js';
import { nodeArguments, type ServiceRuntime } from '../scripts/serviceCommands.js';
import { PROJECT_ROOT } from '../scripts/system.js';
import { onCpu } from './cpuPinning.js';

/** A target's process, serving once this exists. */
export interface TargetProcess {
  readonly url: string;
  readonly pid: number;
  /** Resident memory now, from /proc/<pid>/status; undefined where /proc is missing. */
  rssMb(): number | undefined;
  /** CPU time it has used so far, user and system, from /proc/<pid>/stat; undefined where /proc is missing. */
  cpuSeconds(): number | undefined;
  /** The last lines it printed, for failure reports. */
  recentOutput(): string;
  /** SIGTERM, then SIGKILL after a grace period; resolves once it has exited. */
  stop(): Promise<void>;
}

const KEPT_LINES = 40;

/**
 * Starts `entry` as its own Node process (on `cpu` when given; from sources unless `runtime` says built)
 * and waits for its `listening on <url>` line.
 * Output is drained (a full pipe would stall a process that logs every request) and
 * the last lines are kept.
 */
export function startTargetProcess(
  name: string,
  entry: string,
  env: Readonly<Record<string, string>>,
  { timeoutMs = 60_000, cpu, runtime = 'sources' }: { timeoutMs?: number; cpu?: number | undefined; runtime?: ServiceRuntime } = {},
): Promise<TargetProcess> {
  // taskset execs the command, so the child's pid stays the target's.
  const [command, args] = onCpu(cpu, process.execPath, nodeArguments(entry, runtime));
  // The IPC channel lets the process notice the bench is gone, even after SIGKILL, and stop too.
  const child = spawn(command, args, { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  const lines: string[] = [];
  const recentOutput = (): string => lines.join('\n');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within ${timeoutMs} ms:\n${recentOutput()}`));
    }, timeoutMs);
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${signal ?? `code ${String(code)}`}) before it was ready:\n${recentOutput()}`));
    };
    child.once('exit', onExit);
    const onLine = (line: string): void => {
      lines.push(line);
      if (lines.length > KEPT_LINES) lines.shift();
      const match = /listening on (\S+)/.exec(line);
      if (match?.[1] === undefined || child.pid === undefined) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      const pid = child.pid;
      resolve({ url: match[1], pid, rssMb: () => readRssMb(pid), cpuSeconds: () => readCpuSeconds(pid), recentOutput, stop: () => terminate(child) });
    };
    forEachLine(child.stdout, onLine);
    forEachLine(child.stderr, onLine);
  });
}

/** What `startAvailableTarget` needs of a target. */
export interface StartableTarget {
  readonly name: string;
  readonly entry: string;
  /** Why it cannot run on this machine; may first install what it needs. */
  readonly unavailable?: (log: (line: string) => void) => Promise<string | undefined>;
}

/**
 * Starts `target` (as `startTargetProcess` does) unless this machine cannot run it: its process,
 * or undefined once why is recorded, in `skipped` (it cannot run here) or `failures` (it did not start).
 */
export async function startAvailableTarget(
  target: StartableTarget,
  env: Readonly<Record<string, string>>,
  record: { readonly skipped: string[]; readonly failures: string[]; readonly log: (line: string) => void },
  options: { cpu?: number | undefined } = {},
): Promise<TargetProcess | undefined> {
  const unavailable = await target.unavailable?.(record.log);
  if (unavailable !== undefined) {
    record.skipped.push(`${target.name}: ${unavailable}`);
    record.log(`${target.name}: skipped, ${unavailable}`);
    return undefined;
  }
  try {
    return await startTargetProcess(target.name, target.entry, env, options);
  } catch (error) {
    record.failures.push(`${target.name}: did not start: ${error instanceof Error ? error.message : String(error)}`);
    record.log(`FAILED ${String(record.failures.at(-1))}`);
    return undefined;
  }
}

let clockTicks: number | undefined;

function readCpuSeconds(pid: number): number | undefined {
  try {
    // The fields after the command, which is in parentheses and may hold spaces: utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    clockTicks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return undefined;
  }
}

function readRssMb(pid: number): number | undefined {
  try {
    const kilobytes = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kilobytes === undefined ? undefined : Number(kilobytes) / 1024;
  } catch {
    return undefined;
  }
}
