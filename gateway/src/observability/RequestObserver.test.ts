import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../lib/errors.js';
import { HttpError } from '../../../lib/http/HttpError.js';
import { sendGraphQLError } from '../../../lib/http/graphqlRequestListener.js';
import { createLogger } from '../../../lib/logger.js';
import { GatewayMetrics } from './GatewayMetrics.js';
import { RequestObserver, requestOutcome, type OperationDetails } from './RequestObserver.js';

type Handler = (req: IncomingMessage, res: ServerResponse, observer: RequestObserver) => Promise<void>;

/** Serves `handler` behind a RequestObserver on a loopback port, runs `use`, and returns the log lines. */
async function withObservedServer(handler: Handler, use: (url: string, metrics: GatewayMetrics) => Promise<void>): Promise<Record<string, unknown>[]> {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('gateway', 'info', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const metrics = new GatewayMetrics({ processMetrics: false });
  const observer = new RequestObserver({ logger, metrics });
  const server = createServer((req, res) => {
    observer.observe(req, res);
    handler(req, res, observer).catch((error: unknown) => sendGraphQLError(res, error as HttpError));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await use(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, metrics);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  return lines;
}

const answered =
  (operation: OperationDetails, status = 200, cache?: string): Handler =>
  async (req, res, observer) => {
    const context = await observer.observeContext(async (request) => ({ requestId: observer.requestId(request) }))(req);
    // Apollo hands plugins a shallow copy of the context, never the object itself.
    observer.describe(Object.assign(Object.create(Object.getPrototypeOf(context) as object) as object, context), operation);
    if (cache !== undefined) res.setHeader('x-cache', cache);
    res.statusCode = status;
    res.end(JSON.stringify({ requestId: context.requestId }));
  };

describe('request observer', () => {
  it('returns the client’s X-Request-Id and logs one line with it, the operation, status and cache status', async () => {
    let response: Response | undefined;
    let seenByContext: unknown;
    const lines = await withObservedServer(
      answered({ resolvedName: 'TopProducts', requestedName: 'TopProducts', errorCodes: [] }, 200, 'HIT'),
      async (url, metrics) => {
        response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'x-request-id': 'test-123' } });
        seenByContext = await response.json();
        await expect.poll(() => metrics.render()).toContain('gateway_requests_total{operation="TopProducts",outcome="success"} 1');
      },
    );
    expect(response?.headers.get('x-request-id')).toBe('test-123');
    expect(seenByContext).toEqual({ requestId: 'test-123' });
    expect(lines).toEqual([
      {
        level: 'info',
        time: expect.any(String),
        service: 'gateway',
        pid: process.pid,
        hostname: expect.any(String),
        requestId: 'test-123',
        method: 'POST',
        operationName: 'TopProducts',
        status: 200,
        durationMs: expect.any(Number),
        cache: 'HIT',
        errorCodes: [],
        outcome: 'success',
        msg: 'graphql request',
      },
    ]);
  });

  it('gives a request without a usable id a fresh one, the same in the context, the header and the log', async () => {
    const ids: string[] = [];
    const lines = await withObservedServer(answered({ resolvedName: null, requestedName: undefined, errorCodes: [] }), async (url) => {
      for (const headers of [{}, { 'x-request-id': 'spaces are not allowed' }]) {
        const response = await fetch(`${url}/graphql`, { method: 'POST', headers });
        const body = (await response.json()) as { requestId: string };
        expect(response.headers.get('x-request-id')).toBe(body.requestId);
        ids.push(body.requestId);
      }
    });
    expect(ids).toEqual([expect.stringMatching(/^[0-9a-f-]{36}$/), expect.stringMatching(/^[0-9a-f-]{36}$/)]);
    expect(lines.map((line) => line['requestId'])).toEqual(ids);
  });

  it('logs the code of an error answered before Apollo runs, and counts the request as rejected', async () => {
    const lines = await withObservedServer(
      async (req, _res, observer) => {
        await observer.observeContext(async () => {
          throw new HttpError(429, ErrorCode.RateLimited, 'Too many requests');
        })(req);
      },
      async (url, metrics) => {
        expect((await fetch(`${url}/graphql`, { method: 'POST' })).status).toBe(429);
        await expect.poll(() => metrics.render()).toContain('gateway_requests_total{operation="(anonymous)",outcome="rejected"} 1');
      },
    );
    expect(lines).toEqual([expect.objectContaining({ status: 429, errorCodes: ['RATE_LIMITED'], outcome: 'rejected' })]);
  });

  it('counts an answer with errors as an error, under its operation name', async () => {
    const lines = await withObservedServer(
      answered({ resolvedName: 'Checkout', requestedName: 'Checkout', errorCodes: ['SUBGRAPH_UNAVAILABLE'] }),
      async (url, metrics) => {
        await fetch(`${url}/graphql`, { method: 'POST' });
        await expect.poll(() => metrics.render()).toContain('gateway_requests_total{operation="Checkout",outcome="error"} 1');
      },
    );
    expect(lines).toEqual([expect.objectContaining({ operationName: 'Checkout', errorCodes: ['SUBGRAPH_UNAVAILABLE'], outcome: 'error' })]);
  });

  it('neither logs nor counts health checks, scrapes and CORS preflights, but still tags them with an id', async () => {
    const lines = await withObservedServer(
      async (_req, res) => {
        res.end('ok');
      },
      async (url, metrics) => {
        const response = await fetch(`${url}/health`);
        expect(response.headers.get('x-request-id')).not.toBeNull();
        await fetch(`${url}/metrics`);
        await fetch(`${url}/graphql`, { method: 'OPTIONS' });
        expect(await metrics.render()).not.toContain('gateway_requests_total{');
      },
    );
    expect(lines).toEqual([]);
  });

  it.each([
    [200, [], 'success'],
    [200, ['FORBIDDEN'], 'error'],
    [400, ['GRAPHQL_VALIDATION_FAILED'], 'rejected'],
    [401, [], 'rejected'],
    [429, ['RATE_LIMITED'], 'rejected'],
    [500, [], 'error'],
    [504, ['SUBGRAPH_UNAVAILABLE'], 'error'],
  ] as const)('counts HTTP %i with errors %j as %s', (status, codes, outcome) => {
    expect(requestOutcome(status, codes)).toBe(outcome);
  });
});
