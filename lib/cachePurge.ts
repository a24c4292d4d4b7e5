/**
 * The Redis pub/sub channel services publish cache purges on, for changes made
 * outside a request through the gateway (a background job): every gateway
 * subscribed to it purges the answers holding those entities. A message is
 * JSON `{ "tags": ["Order:12", ...] }`.
 */
export const CACHE_PURGE_CHANNEL = 'supergate:cache-purge';

/** Most tags one purge may name. */
export const MAX_PURGE_TAGS = 1000;

/** The tags of a purge request or message; undefined unless it is `{ "tags": [...] }` with 1 to MAX_PURGE_TAGS entity tags (`Type:key`). */
export function purgeTags(body: unknown): string[] | undefined {
  const tags = typeof body === 'object' && body !== null ? (body as { tags?: unknown }).tags : undefined;
  const valid =
    Array.isArray(tags) &&
    tags.length > 0 &&
    tags.length <= MAX_PURGE_TAGS &&
    tags.every((tag) => typeof tag === 'string' && /^[A-Za-z_]\w*:.{1,256}$/.test(tag));
  return valid ? (tags as string[]) : undefined;
}
