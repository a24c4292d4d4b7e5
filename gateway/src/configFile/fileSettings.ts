import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../../../lib/ConfigError.js';
import { fileKeyOf, GATEWAY_VARIABLES, SUBGRAPH_URLS_KEY, subgraphUrlVariable } from './settingNames.js';

/** Settings by environment variable name, as the environment would hold them, and where each came from. */
export interface SettingsLayer {
  readonly values: Readonly<Record<string, string>>;
  /** How an error names each value's origin, e.g. `queryMaxDepth in supergate.config.json`. */
  readonly origins: ReadonlyMap<string, string>;
}

/** The config file as read: its path, what messages call it, and its settings object. */
export interface ConfigFileContents {
  readonly path: string;
  readonly label: string;
  readonly settings: unknown;
}

const VARIABLE_BY_KEY = new Map<string, string>(GATEWAY_VARIABLES.map((variable) => [fileKeyOf(variable), variable]));

/**
 * Turns a config file's settings into the strings the environment would hold, so the
 * same parsers check them: numbers and booleans as written, lists joined with commas,
 * `null` as not set, and `supergraphPath` relative to the file's folder.
 */
export function fileSettings(file: ConfigFileContents): SettingsLayer {
  const { settings, label } = file;
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
    throw new ConfigError(label, 'an object of settings', Array.isArray(settings) ? 'a list' : String(settings));
  }
  const values: Record<string, string> = {};
  const origins = new Map<string, string>();
  const set = (variable: string, key: string, value: unknown): void => {
    const origin = `${key} in ${label}`;
    const text = settingText(value);
    if (text === null) throw new ConfigError(`${variable} (${origin})`, 'a string, number, boolean or list of them', describe(value));
    if (text === undefined) return;
    values[variable] = variable === 'SUPERGRAPH_PATH' && !isAbsolute(text) ? resolve(dirname(file.path), text) : text;
    origins.set(variable, origin);
  };
  for (const [key, value] of Object.entries(settings)) {
    if (key === SUBGRAPH_URLS_KEY) {
      if (value === null || value === undefined) continue;
      if (typeof value !== 'object' || Array.isArray(value))
        throw new ConfigError(`${key} in ${label}`, 'an object of routing URLs by subgraph name', describe(value));
      for (const [name, url] of Object.entries(value as Record<string, unknown>)) set(subgraphUrlVariable(name), `${key}.${name}`, url);
      continue;
    }
    const variable = VARIABLE_BY_KEY.get(key);
    if (variable === undefined) throw new ConfigError(label, `free of keys that name no setting (the README's configuration table lists every file key)`, key);
    set(variable, key, value);
  }
  return { values, origins };
}

/** The environment's spelling of a value; `undefined` for not set, `null` for a value no variable could hold. */
function settingText(value: unknown): string | undefined | null {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((item) => typeof item === 'string' || typeof item === 'number')) return value.join(',');
  return null;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list of other things';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return typeof value === 'object' ? 'an object' : typeof value;
}
