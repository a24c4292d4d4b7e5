/** The response extension the gateway reads to purge cached answers holding changed entities. */
export const CHANGED_ENTITIES_EXTENSION = 'changedEntities';

/**
 * The entities one request changed, as `Type:key` tags (`Product:42`,
 * `User:u7`). A mutation records what it wrote; the subgraph reports the tags
 * to the gateway with its answer.
 */
export class ChangedEntities {
  private readonly tags = new Set<string>();

  add(typename: string, ...keys: readonly string[]): void {
    for (const key of keys) this.tags.add(`${typename}:${key}`);
  }

  list(): string[] {
    return [...this.tags];
  }
}

/** A context that can record changes; subgraphs whose mutations change entities include one. */
export interface WithChangedEntities {
  readonly changes: ChangedEntities;
}

export function hasChangedEntities(context: unknown): context is WithChangedEntities {
  return typeof context === 'object' && context !== null && (context as Partial<WithChangedEntities>).changes instanceof ChangedEntities;
}
