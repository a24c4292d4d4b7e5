import { generateIdentityKeyPem } from '../lib/identityKeys.js';
import type { SubgraphEntry } from '../schema/registry.js';

/** A PEM key pair: the private half signs, the public half verifies. */
export interface PemKeyPair {
  readonly privateKey: string;
  readonly publicKey: string;
}

/** Identity keys made up at start for a development system that was given none. */
export interface DevelopmentIdentityKeys {
  readonly gateway: PemKeyPair;
  /** One pair per service that calls peers, by service name. */
  readonly services: ReadonlyMap<string, PemKeyPair>;
}

/** Variables through which an operator configures identity keys; if any is set, none are made up. */
const IDENTITY_VARIABLES = ['GATEWAY_SIGNING_KEY', 'GATEWAY_PUBLIC_KEY', 'GATEWAY_JWKS_URL'];

/**
 * Fresh key pairs for the gateway and each calling service, unless the
 * environment configures key pairs itself: development then runs the same
 * asymmetric model as production, with nothing to set up. A GATEWAY_SECRET
 * in the environment is still accepted by the subgraphs next to the keys.
 */
export function developmentIdentityKeys(
  entries: readonly SubgraphEntry[],
  env: Readonly<Record<string, string | undefined>>,
): DevelopmentIdentityKeys | undefined {
  if (IDENTITY_VARIABLES.some((name) => (env[name] ?? '').trim() !== '')) return undefined;
  return {
    gateway: generateIdentityKeyPem(),
    services: new Map(entries.filter((entry) => entry.peers.length > 0).map((entry) => [entry.name, generateIdentityKeyPem()])),
  };
}

/** What the gateway needs: its private key, and the calling services' public keys, whose own calls (cache purges) it accepts. */
export function gatewayIdentityEnv(keys: DevelopmentIdentityKeys | undefined): Record<string, string> {
  if (keys === undefined) return {};
  const env: Record<string, string> = { GATEWAY_SIGNING_KEY: keys.gateway.privateKey };
  for (const [service, pair] of keys.services) env[`SERVICE_${service.toUpperCase()}_PUBLIC_KEY`] = pair.publicKey;
  return env;
}

/** What a subgraph needs: the gateway's and the calling services' public keys, and its own private key if it calls peers. */
export function subgraphIdentityEnv(keys: DevelopmentIdentityKeys | undefined, entry: SubgraphEntry): Record<string, string> {
  if (keys === undefined) return {};
  const env: Record<string, string> = { GATEWAY_PUBLIC_KEY: keys.gateway.publicKey };
  for (const [service, pair] of keys.services) env[`SERVICE_${service.toUpperCase()}_PUBLIC_KEY`] = pair.publicKey;
  const own = keys.services.get(entry.name);
  if (own !== undefined) env['SERVICE_SIGNING_KEY'] = own.privateKey;
  return env;
}
