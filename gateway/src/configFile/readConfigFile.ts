import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ConfigFileContents } from './fileSettings.js';

/** The names looked for in the working directory when no config file is named. */
export const DEFAULT_CONFIG_FILES = ['supergate.config.json', 'supergate.config.mjs', 'supergate.config.ts'] as const;

/** A config file named on the command line or in the environment, and which of them named it. */
export interface NamedConfigFile {
  readonly path: string;
  /** `--config` or `SUPERGATE_CONFIG`, for messages. */
  readonly namedBy: string;
}

const MODULE_EXTENSIONS = new Set(['.mjs', '.js', '.cjs']);
const TYPESCRIPT_EXTENSIONS = new Set(['.ts', '.mts', '.cts']);

/**
 * Reads the config file `named`, or else the one `DEFAULT_CONFIG_FILES` finds in
 * `cwd`; `undefined` when there is none. A `.json` file is parsed; a module's default
 * export is the settings object, or a function (possibly async) returning it; a
 * TypeScript module is loaded with tsx's `tsImport`.
 */
export async function readConfigFile(cwd: string, named: NamedConfigFile | undefined): Promise<ConfigFileContents | undefined> {
  let path: string;
  if (named === undefined) {
    const found = DEFAULT_CONFIG_FILES.filter((name) => existsSync(resolve(cwd, name)));
    const [first, ...others] = found;
    if (first === undefined) return undefined;
    if (others.length > 0) throw new Error(`found ${found.join(' and ')} in ${cwd}; keep one, or name the one to use with --config`);
    path = resolve(cwd, first);
  } else {
    path = resolve(cwd, named.path);
    if (!existsSync(path)) throw new Error(`the config file ${named.path} (named by ${named.namedBy}) does not exist`);
  }
  const fromCwd = relative(cwd, path);
  const label = fromCwd.startsWith('..') || isAbsolute(fromCwd) ? path : fromCwd;
  return { path, label, settings: await loadSettings(path, label) };
}

async function loadSettings(path: string, label: string): Promise<unknown> {
  const extension = extname(path);
  if (extension === '.json') {
    try {
      return JSON.parse(await readFile(path, 'utf8')) as unknown;
    } catch (error) {
      throw new Error(`${label} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  let exports: { default?: unknown };
  if (MODULE_EXTENSIONS.has(extension)) {
    exports = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } else if (TYPESCRIPT_EXTENSIONS.has(extension)) {
    const { tsImport } = await importTsx(label);
    exports = (await tsImport(pathToFileURL(path).href, import.meta.url)) as { default?: unknown };
  } else {
    throw new Error(`${label}: a config file is .json, .mjs, .js or .ts (TypeScript is loaded with tsx); rename it or convert it to one of those`);
  }
  const settings = defaultExport(exports);
  if (settings === undefined) throw new Error(`${label} has no default export; export the settings object, or a function returning it, as default`);
  return typeof settings === 'function' ? await (settings as () => unknown)() : settings;
}

/** tsx is the project's own development dependency, not Supergate's: found where the project installed it. */
async function importTsx(label: string): Promise<typeof import('tsx/esm/api')> {
  try {
    return await import('tsx/esm/api');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new Error(
      `${label} is TypeScript, which Supergate loads with tsx, and tsx is not installed: \`npm install --save-dev tsx\`, or write the settings in supergate.config.mjs`,
    );
  }
}

/** A module's default export; a `.ts` or `.js` file outside an ESM package loads as CommonJS, whose `export default` sits one level down. */
function defaultExport(exports: { default?: unknown }): unknown {
  const value = exports.default;
  if (typeof value === 'object' && value !== null && (value as { __esModule?: unknown }).__esModule === true) return (value as { default?: unknown }).default;
  return value;
}
