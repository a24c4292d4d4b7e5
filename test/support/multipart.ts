import type { ReadableStreamReadResult } from 'node:stream/web';

/** What Apollo Client sends to ask for a multipart subscription. */
export const MULTIPART_ACCEPT = 'multipart/mixed;subscriptionSpec="1.0",application/json';

/** POSTs `query` asking for Apollo's multipart subscription protocol, as Apollo Client does. */
export function postMultipart(url: string, query: string, authorization?: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: MULTIPART_ACCEPT, ...(authorization === undefined ? {} : { authorization }) },
    body: JSON.stringify({ query }),
  });
}

/** Reads Apollo's multipart subscription answer the way Apollo Client does: split on the boundary, one JSON body per part. */
export async function readMultipart(response: Response, onPart: (part: Record<string, unknown>) => boolean): Promise<void> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { done, value } = (await reader.read()) as ReadableStreamReadResult<Uint8Array>;
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let at = buffer.indexOf('\r\n--graphql');
    while (at !== -1) {
      const message = buffer.slice(0, at);
      buffer = buffer.slice(at + '\r\n--graphql'.length);
      const bodyStart = message.indexOf('\r\n\r\n');
      if (bodyStart !== -1 && !onPart(JSON.parse(message.slice(bodyStart)) as Record<string, unknown>)) {
        await reader.cancel();
        return;
      }
      at = buffer.indexOf('\r\n--graphql');
    }
  }
}
