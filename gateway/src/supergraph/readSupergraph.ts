import { parse } from 'graphql';
import type { RateLimitArgs } from 'graphql-rate-limit-directive';
import { readSecurityRequirements, type SecurityRequirements } from '../authorization/securityRequirements.js';
import { readEntityKeys } from '../cache/entityKeys.js';
import { readCostDirectives, type CostDirectives } from '../limits/costDirectives.js';
import { readFieldRateLimits } from '../rateLimits/fieldRateLimits.js';
import { unservableFeatures } from './unservableFeatures.js';

/** Everything the gateway reads from one supergraph, beyond what @apollo/gateway plans with. */
export interface Supergraph {
  readonly security: SecurityRequirements;
  readonly fieldRateLimits: ReadonlyMap<string, RateLimitArgs>;
  readonly entityKeys: ReadonlyMap<string, readonly string[]>;
  readonly costDirectives: CostDirectives;
}

/** Reads a composed supergraph's SDL; throws (naming the problem) when it is not one. */
export function readSupergraph(supergraphSdl: string): Supergraph {
  const unservable = unservableFeatures(parse(supergraphSdl));
  if (unservable.length > 0) throw new Error(`Supergate cannot serve this supergraph: ${unservable.join('; ')}`);
  return {
    // @apollo/gateway refuses supergraphs that link @authenticated/@requiresScopes; the gateway enforces them itself.
    security: readSecurityRequirements(supergraphSdl),
    fieldRateLimits: readFieldRateLimits(supergraphSdl),
    entityKeys: readEntityKeys(supergraphSdl),
    costDirectives: readCostDirectives(supergraphSdl),
  };
}
