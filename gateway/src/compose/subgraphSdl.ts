import { readFile } from 'node:fs/promises';
import type { SchemaSource } from './supergraphYaml.js';

/** The query rover sends to a subgraph for its SDL. */
const SERVICE_SDL_QUERY = 'query SubgraphIntrospectQuery { _service { sdl } }';

const INTROSPECTION_TIMEOUT_MS = 30_000;

/** A subgraph's SDL could not be had; the message says from where and why. */
export class SubgraphSdlError extends Error {
  override name = 'SubgraphSdlError';
}

/** Reads a subgraph's SDL from its file, its inline `sdl`, or the subgraph itself (`_service { sdl }`). */
export async function loadSubgraphSdl(source: SchemaSource): Promise<string> {
  switch (source.kind) {
    case 'sdl':
      return source.sdl;
    case 'file':
      try {
        return await readFile(source.path, 'utf8');
      } catch (error) {
        throw new SubgraphSdlError(`cannot read ${source.path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error)}`);
      }
    case 'introspection':
      return introspect(source.url, source.headers);
  }
}

async function introspect(url: string, headers: Readonly<Record<string, string>>): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: SERVICE_SDL_QUERY }),
      signal: AbortSignal.timeout(INTROSPECTION_TIMEOUT_MS),
    });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : String(error);
    throw new SubgraphSdlError(`cannot reach ${url} for its SDL: ${cause}`);
  }
  const text = await response.text();
  let body: { data?: { _service?: { sdl?: unknown } | null } | null; errors?: { message?: unknown }[] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new SubgraphSdlError(`${url} answered HTTP ${response.status} without a GraphQL response: ${text.slice(0, 200)}`);
  }
  const sdl = body.data?._service?.sdl;
  if (typeof sdl === 'string') return sdl;
  const errors = (body.errors ?? []).map((error) => String(error.message)).join('; ');
  throw new SubgraphSdlError(
    `${url} answered HTTP ${response.status} without _service { sdl } (is it a federation subgraph?)${errors === '' ? '' : `: ${errors}`}`,
  );
}
