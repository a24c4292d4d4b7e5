import type { IncomingMessage } from 'node:http';
import { ErrorCode } from '../errors.js';
import { HttpError } from './HttpError.js';
import { nestsDeeperThan } from './jsonDepth.js';

/**
 * Deepest nesting of objects and arrays accepted in a body. The envelope
 * (`{ "variables": { ... } }`) takes two levels; GraphQL input rarely needs a
 * dozen more, and beyond a few thousand the parsed value overflows the stack of
 * everything that walks it recursively.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Reads and parses a JSON request body, refusing bodies over `maxBytes`
 * without buffering them. Returns `undefined` when the request has no JSON body
 * (GET, or another content type) so Apollo can answer with its own message.
 * A body nested deeper than `MAX_JSON_DEPTH` is refused with 400 `BAD_USER_INPUT`.
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) {
    req.resume();
    throw tooLarge(maxBytes);
  }
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > maxBytes) {
      req.resume();
      throw tooLarge(maxBytes);
    }
    chunks.push(chunk);
  }
  if (!isJsonContentType(req.headers['content-type'])) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, ErrorCode.BadRequest, 'The request body is not valid JSON.');
  }
  if (nestsDeeperThan(body, MAX_JSON_DEPTH))
    throw new HttpError(400, ErrorCode.BadUserInput, `The request body nests objects or arrays more than ${MAX_JSON_DEPTH} deep.`);
  return body;
}

function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase();
  return mediaType === 'application/json' || mediaType === 'application/graphql-response+json';
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, ErrorCode.PayloadTooLarge, `The request body is larger than ${maxBytes} bytes.`);
}
