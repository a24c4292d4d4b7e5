import { InvalidArgumentError, Option, type Command } from 'commander';
import type { CommandLineSetting } from '../config.js';
import { fileKeyOf, subgraphUrlVariable } from '../configFile/settingNames.js';

/** A flag of `supergate serve` that sets one environment variable's setting. */
interface SettingFlag {
  readonly flags: string;
  readonly variable: string;
  readonly description: string;
}

const SETTING_FLAGS: readonly SettingFlag[] = [
  { flags: '-s, --supergraph <file>', variable: 'SUPERGRAPH_PATH', description: 'composed supergraph SDL to serve (default: ./supergraph.graphql)' },
  { flags: '-p, --port <port>', variable: 'PORT', description: 'port for GraphQL at /graphql; 0 picks a free one (default: 4000)' },
  { flags: '--host <host>', variable: 'HOST', description: 'interface to bind; 0.0.0.0 in containers (default: 127.0.0.1)' },
  {
    flags: '--redis-url <url>',
    variable: 'REDIS_URL',
    description: 'Redis shared by replicas: rate-limit counters, response cache, persisted queries (default: in process memory)',
  },
  { flags: '--jwks-url <url>', variable: 'JWKS_URL', description: "your identity provider's JWKS, to verify bearer tokens" },
  { flags: '--workers <count>', variable: 'GATEWAY_WORKERS', description: 'gateway processes sharing the port; more than 1 needs Redis (default: 1)' },
  { flags: '--metrics-port <port>', variable: 'METRICS_PORT', description: 'port of the Prometheus /metrics server (default: 9464)' },
  { flags: '--metrics-host <host>', variable: 'METRICS_HOST', description: 'interface the metrics server binds (default: 127.0.0.1)' },
  { flags: '--log-level <level>', variable: 'LOG_LEVEL', description: 'fatal, error, warn, info, debug, trace or silent (default: info)' },
];

const CONFIG_FLAG = '-c, --config <file>';
const SUBGRAPH_URL_FLAG = '--subgraph-url <name=url>';
const PRODUCTION_FLAG = '--production';

/** What commander parses the flags into, by attribute name. */
type ParsedFlags = Record<string, string | boolean | SubgraphUrl[] | undefined>;

interface SubgraphUrl {
  readonly name: string;
  readonly url: string;
}

/** Adds the flags of `supergate serve` to `command`; each names the variable and config file key it sets. */
export function addServeOptions(command: Command): Command {
  for (const flag of SETTING_FLAGS) command.addOption(new Option(flag.flags, `${flag.description} [${flag.variable}, ${fileKeyOf(flag.variable)}]`));
  command.addOption(
    new Option(
      SUBGRAPH_URL_FLAG,
      'where subgraph <name> answers, over its routing URL in the supergraph; repeatable [SUBGRAPH_<NAME>_URL, subgraphUrls]',
    ).argParser(collectSubgraphUrl),
  );
  command.addOption(
    new Option(PRODUCTION_FLAG, 'production mode: errors masked, no introspection or landing page, real keys required [NODE_ENV=production, nodeEnv]'),
  );
  command.addOption(new Option(CONFIG_FLAG, 'settings file: .json, .mjs or .ts (default: supergate.config.* in the working directory) [SUPERGATE_CONFIG]'));
  return command;
}

/** The config file named by `--config`, if any. */
export function configFileFlag(command: Command): string | undefined {
  const value = command.opts<ParsedFlags>()[new Option(CONFIG_FLAG).attributeName()];
  return typeof value === 'string' ? value : undefined;
}

/** The settings the flags given to `command` set, each with the flag that set it. */
export function settingsFromFlags(command: Command): CommandLineSetting[] {
  const parsed = command.opts<ParsedFlags>();
  const settings: CommandLineSetting[] = [];
  for (const flag of SETTING_FLAGS) {
    const option = new Option(flag.flags);
    const value = parsed[option.attributeName()];
    if (typeof value === 'string') settings.push({ variable: flag.variable, value, flag: option.long ?? flag.flags });
  }
  const subgraphUrls = parsed[new Option(SUBGRAPH_URL_FLAG).attributeName()];
  for (const { name, url } of Array.isArray(subgraphUrls) ? subgraphUrls : []) {
    settings.push({ variable: subgraphUrlVariable(name), value: url, flag: `--subgraph-url ${name}=` });
  }
  if (parsed[new Option(PRODUCTION_FLAG).attributeName()] === true) settings.push({ variable: 'NODE_ENV', value: 'production', flag: PRODUCTION_FLAG });
  return settings;
}

function collectSubgraphUrl(value: string, previous: SubgraphUrl[] | undefined): SubgraphUrl[] {
  const separator = value.indexOf('=');
  if (separator < 1 || separator === value.length - 1) throw new InvalidArgumentError('Expected <name>=<url>, e.g. products=http://127.0.0.1:4001/graphql.');
  return [...(previous ?? []), { name: value.slice(0, separator), url: value.slice(separator + 1) }];
}
