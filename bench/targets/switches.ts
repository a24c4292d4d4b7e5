/** Reads an on/off switch a bench target takes from its environment; anything else is an error naming it. */
export function readSwitch(name: string, fallback: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'on' || raw === 'off') return raw === 'on';
  throw new Error(`${name} must be on or off; got "${raw}"`);
}

/** Off for the public benchmark's subgraphs, which, unlike the shop's, take calls without a gateway token. @default on */
export const GATEWAY_TOKEN_SWITCH = 'BENCH_GATEWAY_TOKEN';

/** On for the subscriptions workload: Hive Gateway serves graphql-ws and subscribes to the subgraphs over it. @default off */
export const HIVE_SUBSCRIPTIONS_SWITCH = 'HIVE_SUBSCRIPTIONS';
