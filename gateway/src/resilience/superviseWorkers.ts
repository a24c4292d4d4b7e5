import cluster, { type Worker } from 'node:cluster';

export interface SuperviseWorkersOptions {
  /** Worker processes to keep running. */
  readonly workers: number;
  /** How long a worker may take to drain after SIGTERM; one still running well after it is killed. */
  readonly shutdownGraceMs: number;
  readonly log: (level: 'info' | 'warn' | 'error', message: string) => void;
}

const FIRST_RESTART_DELAY_MS = 100;
const MAX_RESTART_DELAY_MS = 10_000;
/** Time past the grace period before a worker that has not exited is killed. */
const STOP_MARGIN_MS = 5_000;

/** Wait before replacing a worker: doubles with each crash in a row, from 100 ms up to 10 s. */
export function restartDelayMs(crashesInARow: number): number {
  return Math.min(MAX_RESTART_DELAY_MS, FIRST_RESTART_DELAY_MS * 2 ** Math.max(0, crashesInARow - 1));
}

/**
 * Runs in the cluster primary, which serves nothing itself: forks the workers
 * (they share the listening port), replaces one that exits unasked, and on
 * SIGTERM, SIGINT or losing its launcher asks every worker to stop gracefully
 * and exits once they have: 0 if every worker stopped cleanly.
 */
export function superviseWorkers({ workers, shutdownGraceMs, log }: SuperviseWorkersOptions): void {
  const running = new Map<Worker, number>();
  let stopping = false;
  let stoppedCleanly = true;
  let crashesInARow = 0;

  const fork = (): void => {
    running.set(cluster.fork(), Date.now());
  };

  // The signal is null when the worker exited with a code, whatever its declared type says.
  cluster.on('exit', (worker, code, signal: string | null) => {
    const startedAt = running.get(worker) ?? Date.now();
    running.delete(worker);
    if (stopping) {
      if (code !== 0) stoppedCleanly = false;
      if (running.size === 0) process.exit(stoppedCleanly ? 0 : 1);
      return;
    }
    // A worker that ran longer than the longest delay was healthy for a while: its crash starts a new streak.
    crashesInARow = Date.now() - startedAt >= MAX_RESTART_DELAY_MS ? 1 : crashesInARow + 1;
    const delay = restartDelayMs(crashesInARow);
    log('warn', `worker ${String(worker.process.pid)} exited (${signal ?? `code ${code}`}); starting a replacement in ${delay} ms`);
    setTimeout(() => {
      if (!stopping) fork();
    }, delay);
  });

  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    if (running.size === 0) process.exit(0);
    for (const worker of running.keys()) worker.process.kill('SIGTERM');
    setTimeout(() => {
      for (const worker of running.keys()) {
        log('error', `worker ${String(worker.process.pid)} did not stop within the grace period; killing it`);
        worker.process.kill('SIGKILL');
      }
    }, shutdownGraceMs + STOP_MARGIN_MS).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Started by a launcher (npm start, tests): stop when it goes away, however it ended.
  if (process.send !== undefined) process.on('disconnect', stop);

  for (let i = 0; i < workers; i += 1) fork();
  log('info', `primary ${process.pid} running ${workers} workers`);
}
