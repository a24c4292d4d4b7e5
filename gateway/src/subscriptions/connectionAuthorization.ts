/**
 * The `Authorization` value a WebSocket client sent in its `connection_init`
 * payload: `{ "authorization": "Bearer …" }` with the key in any case, or the
 * same inside a `headers` object, as some clients send it. Undefined when
 * there is none, so the caller is anonymous; a value that is not a string
 * comes back as one that no token check accepts.
 */
export function connectionAuthorization(payload: unknown): string | undefined {
  const direct = authorizationIn(payload);
  if (direct !== undefined) return direct;
  if (!isRecord(payload)) return undefined;
  const headersKey = Object.keys(payload).find((key) => key.toLowerCase() === 'headers');
  return headersKey === undefined ? undefined : authorizationIn(payload[headersKey]);
}

function authorizationIn(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  const key = Object.keys(value).find((name) => name.toLowerCase() === 'authorization');
  if (key === undefined) return undefined;
  const authorization = value[key];
  if (authorization === undefined || authorization === null || authorization === '') return undefined;
  return typeof authorization === 'string' ? authorization : 'Bearer (not a string)';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
