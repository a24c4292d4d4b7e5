import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExecutionResult } from 'graphql';
import { createHandler, type Request as SseRequest } from 'graphql-sse';
import type { StreamRequest, SubscriptionHub } from './SubscriptionHub.js';
import { cutWhenUndelivered } from './finalDelivery.js';
import type { ClientStream } from './SubscriptionStream.js';

/** What the endpoint knows of the request beside what graphql-sse reads. */
interface SseContext {
  readonly res: ServerResponse;
  readonly body: unknown;
  readonly stream: Omit<StreamRequest, 'body' | 'protocol'>;
}

/**
 * Serves the graphql-sse protocol in its "distinct connections" mode: `POST
 * /graphql` with `Accept: text/event-stream` streams one operation's results
 * as `next` events and ends with `complete`. The body is read (and bounded)
 * by the gateway before this is called; the JWT comes from `Authorization`,
 * so a bad one is answered 401 before anything is subscribed.
 */
export function sseEndpoint(hub: SubscriptionHub): (req: IncomingMessage, res: ServerResponse, body: unknown, stream: SseContext['stream']) => Promise<void> {
  const handler = createHandler<IncomingMessage, SseContext>({
    // graphql-sse has checked the body's shape; the hub is given it as the client sent it.
    onSubscribe: async (req) => {
      const start = await hub.start({ ...req.context.stream, body: req.context.body, protocol: 'sse' });
      if (start.kind === 'answer') {
        if (start.status === 200) return start.body as ExecutionResult;
        return [
          JSON.stringify(start.body),
          { status: start.status, statusText: 'Refused', headers: { ...start.headers, 'content-type': 'application/json; charset=utf-8' } },
        ];
      }
      const { res } = req.context;
      cutWhenUndelivered(start.stream, () => res.destroy());
      // The client left: end the subscription, whatever graphql-sse does with the stream it was reading.
      res.once('close', () => void start.stream.return());
      return asExecutionResults(start.stream);
    },
    // graphql-sse queues what it sends without bound; waiting here while the socket is full keeps the only queue the subscription's own bounded one.
    onNext: async (_ctx, req) => {
      const { res } = req.context;
      if (res.writableNeedDrain && !res.destroyed) await Promise.race([once(res, 'drain'), once(res, 'close')]);
    },
  });
  return async (req, res, body, stream) => {
    const request: SseRequest<IncomingMessage, SseContext> = {
      method: 'POST',
      url: req.url ?? '/graphql',
      headers: {
        // graphql-sse picks its mode by an exact Accept; the gateway routed here on any Accept naming text/event-stream.
        get: (key) => (key === 'accept' ? 'text/event-stream' : key === 'content-type' ? 'application/json' : headerValue(req, key)),
      },
      // Anything but an object is answered 400 by graphql-sse.
      body: typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<PropertyKey, unknown>) : null,
      raw: req,
      context: { res, body, stream },
    };
    const [responseBody, init] = await handler(request);
    res.writeHead(init.status, init.statusText, init.headers);
    if (responseBody === null || typeof responseBody === 'string') {
      res.end(responseBody ?? undefined);
      return;
    }
    const close = (): void => void responseBody.return(undefined);
    res.once('close', close);
    for await (const chunk of responseBody) {
      if (!res.writable) break;
      await new Promise<void>((resolve) => res.write(chunk, () => resolve()));
    }
    res.off('close', close);
    res.end();
  };
}

function asExecutionResults(stream: ClientStream): AsyncIterableIterator<ExecutionResult> {
  return {
    async next() {
      const item = await stream.next();
      if (item.done === true) return { done: true, value: undefined };
      return { done: false, value: item.value.result as ExecutionResult };
    },
    async return() {
      await stream.return();
      return { done: true, value: undefined };
    },
    // graphql-sse ends only what looks like an async generator when the client leaves.
    async throw() {
      await stream.return();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

function headerValue(req: IncomingMessage, key: string): string | undefined {
  const value = req.headers[key];
  return Array.isArray(value) ? value.join(', ') : value;
}
