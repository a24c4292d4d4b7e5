import { createHash } from 'node:crypto';
import { ErrorCode } from '../../../lib/errors.js';
import { HttpError } from '../../../lib/http/HttpError.js';

/**
 * Refuses a malformed automatic persisted query with HTTP 400 and a code of its
 * own, before Apollo answers it with a code-less error that production masks
 * as `INTERNAL_SERVER_ERROR`: a version other than 1, or a `sha256Hash` that is
 * not the hash of the `query` sent with it. Reads the POST body, or the
 * `query` and `extensions` parameters of a GET.
 */
export function checkPersistedQuery(body: unknown, search: URLSearchParams): void {
  const { query, extensions } = isRecord(body) ? body : { query: search.get('query') ?? undefined, extensions: parseJson(search.get('extensions')) };
  const persisted = isRecord(extensions) ? extensions['persistedQuery'] : undefined;
  if (!isRecord(persisted)) return;
  if (persisted['version'] !== 1) throw new HttpError(400, ErrorCode.PersistedQueryNotSupported, 'Only version 1 of automatic persisted queries is supported.');
  if (typeof query !== 'string') return;
  const hash = persisted['sha256Hash'];
  if (typeof hash !== 'string' || hash !== createHash('sha256').update(query).digest('hex')) {
    throw new HttpError(400, ErrorCode.PersistedQueryHashMismatch, 'The persisted query sha256Hash is not the SHA-256 hash of its query.');
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Apollo answers a malformed parameter with its own 400.
    return undefined;
  }
}
