import type { GatewayContext } from '../context.js';
import type { SubgraphRequest, SubgraphResponse } from '../execution/executorTypes.js';

/** Collects the entities a subgraph's mutation changed (its `changedEntities` extension), so the response cache can purge answers holding them. */
export function collectChangedEntities(response: SubgraphResponse, context: SubgraphRequest['context']): void {
  const changed: unknown = response.extensions?.['changedEntities'];
  if (Array.isArray(changed) && 'changedEntities' in context) {
    const { changedEntities } = context as GatewayContext;
    for (const tag of changed) if (typeof tag === 'string') changedEntities.add(tag);
  }
}
