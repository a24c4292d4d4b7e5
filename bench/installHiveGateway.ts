import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../scripts/system.js';

/** Pinned so every run measures the same Hive Gateway. */
export const HIVE_GATEWAY_VERSION = '2.15.1';

/** The Rust query planner for Hive Gateway, pinned like it; 1.4.23 runs on Node 20 (engines >=20). */
export const HIVE_ROUTER_RUNTIME_VERSION = '1.4.23';

const PACKAGE = '@graphql-hive/gateway';
export const ROUTER_RUNTIME_PACKAGE = '@graphql-hive/router-runtime';
/** Hive Gateway's CLI adds this plugin for `--jit`; it comes with the gateway. */
export const JIT_PLUGIN_PACKAGE = '@graphql-mesh/plugin-jit';

/** Installed together: installing one alone into the folder would prune the other. */
const SPECS = [`${PACKAGE}@${HIVE_GATEWAY_VERSION}`, `${ROUTER_RUNTIME_PACKAGE}@${HIVE_ROUTER_RUNTIME_VERSION}`];

/**
 * Outside package.json on purpose: Hive Gateway brings hundreds of packages that
 * every `npm ci` would otherwise install for a target only the bench uses.
 */
export const HIVE_GATEWAY_DIR = join(PROJECT_ROOT, 'node_modules', '.cache', 'supergate-bench', 'hive');

/** Written only after a complete install, so an interrupted one is redone rather than half-used. */
const MARKER = join(HIVE_GATEWAY_DIR, `installed-${HIVE_GATEWAY_VERSION}-router-runtime-${HIVE_ROUTER_RUNTIME_VERSION}`);

/**
 * Installs the pinned Hive Gateway and router runtime into their cache directory unless they are already there.
 * Resolves to why it cannot be used (the install failed), or undefined when it is ready.
 */
export async function installHiveGateway(log: (line: string) => void, timeoutMs = 600_000): Promise<string | undefined> {
  if (existsSync(MARKER)) return undefined;
  mkdirSync(HIVE_GATEWAY_DIR, { recursive: true });
  const spec = SPECS.join(' ');
  log(`hive: installing ${spec} into ${HIVE_GATEWAY_DIR} (first run only; takes a minute or two)`);
  const args = ['install', '--prefix', HIVE_GATEWAY_DIR, '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', ...SPECS];
  const outcome = await run('npm', args, timeoutMs);
  if (outcome !== undefined) return `could not install ${spec} (npm ${args.join(' ')}): ${outcome}`;
  try {
    hiveGatewayModuleUrl();
    hiveModuleUrl(ROUTER_RUNTIME_PACKAGE, HIVE_ROUTER_RUNTIME_VERSION);
    hiveModuleUrl(JIT_PLUGIN_PACKAGE);
  } catch (error) {
    return `installed ${spec}, but ${error instanceof Error ? error.message : String(error)}`;
  }
  writeFileSync(MARKER, `${new Date().toISOString()}\n`);
  return undefined;
}

/** The ES module entry of the installed gateway, for `import()`. */
export function hiveGatewayModuleUrl(): string {
  return hiveModuleUrl(PACKAGE, HIVE_GATEWAY_VERSION);
}

/** The ES module entry of a package in the cache directory, for `import()`; checks its version when one is pinned. */
export function hiveModuleUrl(name: string, version?: string): string {
  const packageDir = join(HIVE_GATEWAY_DIR, 'node_modules', ...name.split('/'));
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    version?: unknown;
    exports?: { '.'?: { import?: { default?: unknown } } };
  };
  if (version !== undefined && manifest.version !== version) throw new Error(`${packageDir} holds version ${String(manifest.version)}, not ${version}`);
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
      else
        resolve(
          `${signal === 'SIGKILL' ? `timed out after ${timeoutMs / 1000} s` : `exited with ${signal ?? `code ${String(code)}`}`}: ${output.trim().split('\n').slice(-5).join(' | ')}`,
        );
    });
  });
}
