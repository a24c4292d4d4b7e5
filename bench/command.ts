import { Cleanup } from './Cleanup.js';

/** Parses an integer flag; throws an error naming the flag and what it expects. */
export function parseInteger(flag: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) throw new Error(`${flag} must be an integer from ${min} to ${max}; got "${raw}"`);
  return value;
}

/** The command as typed, for the results file: `npm run <script> -- ...` when npm ran it, else `tsx <file> ...`. */
export function commandLine(script: string, file: string, args: readonly string[]): string {
  const quoted = args.map((arg) => (/^[\w.,=/-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
  if (process.env['npm_lifecycle_event'] !== script) return `tsx ${file} ${quoted}`.trim();
  return quoted === '' ? `npm run ${script}` : `npm run ${script} -- ${quoted}`;
}

/**
 * Parses a command's arguments: the options, or the exit code after printing
 * `--help` (0) or what was wrong with them (2).
 */
export function parseArguments<T>(args: readonly string[], parse: (args: readonly string[]) => T | 'help', usage: string): T | number {
  try {
    const options = parse(args);
    if (options !== 'help') return options;
    console.log(usage);
    return 0;
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    return 2;
  }
}

/** What a command's `main` gets besides its arguments. */
export interface CommandRun {
  readonly cleanup: Cleanup;
  /** True once Ctrl-C or SIGTERM has started the cleanup. */
  readonly interrupted: () => boolean;
}

/**
 * Runs `main` with the process's arguments and exits with its code, running every
 * cleanup step first, whether it finishes, fails or is interrupted.
 */
export function runCommand(name: string, main: (args: readonly string[], run: CommandRun) => Promise<number>): void {
  const cleanup = new Cleanup();
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    // Kept for the whole run: a repeated signal (tsx relays the terminal's Ctrl-C once more) must not cut the cleanup short.
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = true;
      console.error(`\n${signal}: stopping every process the ${name} started and dropping its scratch database`);
      void cleanup.run().finally(() => process.exit(130));
    });
  }
  main(process.argv.slice(2), { cleanup, interrupted: () => interrupted }).then(
    async (code) => {
      await cleanup.run();
      process.exit(code);
    },
    async (error: unknown) => {
      if (interrupted) return;
      console.error(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      await cleanup.run();
      process.exit(1);
    },
  );
}
