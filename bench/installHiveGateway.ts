import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../scripts/system.js';

/** Pinned so every run measures the same Hive Gateway. */
export const HIVE_GATEWAY_VERSION = '2.15.1';

const PACKAGE = '@graphql-hive/gateway';

/**
 * Outside package.json on purpose: Hive Gateway brings hundreds of packages that
 * every `npm ci` would otherwise install for a target only the bench uses.
 */
export const HIVE_GATEWAY_DIR = join(PROJECT_ROOT, 'node_modules', '.cache', 'supergate-bench', 'hive');

/** Written only after a complete install, so an interrupted one is redone rather than half-used. */
const MARKER = join(HIVE_GATEWAY_DIR, `installed-${HIVE_GATEWAY_VERSION}`);

/**
 * Installs the pinned Hive Gateway into its cache directory unless it is already there.
 * Resolves to why it cannot be used (the install failed), or undefined when it is ready.
 */
export async function installHiveGateway(log: (line: string) => void, timeoutMs = 600_000): Promise<string | undefined> {
  if (existsSync(MARKER)) return undefined;
  mkdirSync(HIVE_GATEWAY_DIR, { recursive: true });
  const spec = `${PACKAGE}@${HIVE_GATEWAY_VERSION}`;
  log(`hive: installing ${spec} into ${HIVE_GATEWAY_DIR} (first run only; takes a minute or two)`);
  const args = ['install', '--prefix', HIVE_GATEWAY_DIR, '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', spec];
  const outcome = await run('npm', args, timeoutMs);
  if (outcome !== undefined) return `could not install ${spec} (npm ${args.join(' ')}): ${outcome}`;
  try {
    hiveGatewayModuleUrl();
  } catch (error) {
    return `installed ${spec}, but ${error instanceof Error ? error.message : String(error)}`;
  }
  writeFileSync(MARKER, `${new Date().toISOString()}\n`);
  return undefined;
}

/** The ES module entry of the installed package, for `import()`. */
export function hiveGatewayModuleUrl(): string {
  const packageDir = join(HIVE_GATEWAY_DIR, 'node_modules', ...PACKAGE.split('/'));
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version?: unknown; exports?: { '.'?: { import?: { default?: unknown } } } };
  if (manifest.version !== HIVE_GATEWAY_VERSION) throw new Error(`${packageDir} holds version ${String(manifest.version)}, not ${HIVE_GATEWAY_VERSION}`);
  const entry = manifest.exports?.['.']?.import?.default;
  if (typeof entry !== 'string') throw new Error(`${packageDir}/package.json names no ES module entry (exports["."].import.default)`);
  return pathToFileURL(join(packageDir, entry)).href;
}

/** Runs a command to completion; resolves to what went wrong, or undefined on exit code 0. */
function run(command: string, args: readonly string[], timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: HIVE_GATEWAY_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-2_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve(error.message);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(undefined);
      else resolve(`${signal === 'SIGKILL' ? `timed out after ${timeoutMs / 1000} s` : `exited with ${signal ?? `code ${code}`}`}: ${output.trim().split('\n').slice(-5).join(' | ')}`);
    });
  });
}
