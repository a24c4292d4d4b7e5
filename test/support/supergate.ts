import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { terminate } from '../../scripts/childProcesses.js';
import { PROJECT_ROOT, waitForListening } from '../../scripts/system.js';
import { assertBuilt } from './buildOutputs.js';

/** How the tests run the `supergate` command: as the package's bin runs it, from the build (`npm test` builds first). */
const SUPERGATE = ['--enable-source-maps', join(PROJECT_ROOT, 'dist/gateway/src/cli.js')];

export interface SupergateOptions {
  /** @default the repository root */
  readonly cwd?: string;
  /** On top of this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
}

export interface SupergateResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunningSupergate {
  readonly url: string;
  /** Every line it has printed so far. */
  readonly output: readonly string[];
  stop(): Promise<void>;
}

function environment(options: SupergateOptions): Record<string, string | undefined> {
  // A nested process must not think it is one of this run's workers.
  return { ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST'))), ...options.env };
}

/** Runs `supergate <args>` to the end, as a shell would. */
export function runSupergate(args: readonly string[], options: SupergateOptions = {}): Promise<SupergateResult> {
  return new Promise((resolve, reject) => {
    assertBuilt();
    execFile(
      process.execPath,
      [...SUPERGATE, ...args],
      { cwd: options.cwd ?? PROJECT_ROOT, env: environment(options), maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- execFile's error is an Error; its Omit<ExecException> type hides that from the rule
        if (error !== null && typeof error.code !== 'number') reject(error);
        else resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
      },
    );
  });
}

/** Starts `supergate <args>` and resolves once it listens; it stops with the test process if not before. */
export async function startSupergate(args: readonly string[], options: SupergateOptions = {}): Promise<RunningSupergate> {
  assertBuilt();
  // The IPC channel lets the gateway notice its launcher is gone, even after SIGKILL, and stop too.
  const child = spawn(process.execPath, [...SUPERGATE, ...args], {
    cwd: options.cwd ?? PROJECT_ROOT,
    env: environment(options),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const output: string[] = [];
  const { url } = await waitForListening('supergate', child, (line) => output.push(line), 60_000);
  return { url, output, stop: () => terminate(child) };
}
