import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the proxy does with GraphQL requests:
 * - `forward`: passes them to the subgraph;
 * - `hang`: never answers;
 * - `fail`: answers 503 at once;
 * - `hold`: keeps them until `release()`, then passes them on;
 * - `hold-query-answers`: passes queries on at once but keeps their answers
 *   until `release()` (an answer read before a write, delivered after it),
 *   while mutations pass.
 */
export type ProxyMode = 'forward' | 'hang' | 'fail' | 'hold' | 'hold-query-answers';

export interface FaultyProxy {
  /** Where to point the gateway instead of the subgraph (`SUBGRAPH_<NAME>_URL`). */
  readonly url: string;
  mode: ProxyMode;
  /** GraphQL requests that reached the proxy, whatever it did with them. */
  readonly graphqlRequests: number;
  /** Requests waiting for `release()`. */
  readonly held: number;
  /** Passes every held request on to the subgraph. */
  release(): void;
  close(): Promise<void>;
}

/** A real HTTP server in front of one subgraph that can be made slow, silent or failing. */
export async function startFaultyProxy(subgraphUrl: string): Promise<FaultyProxy> {
  let mode: ProxyMode = 'forward';
  let graphqlRequests = 0;
  const held: (() => void)[] = [];

  const forward = async (req: IncomingMessage, res: ServerResponse, body: Buffer, holdAnswer = false): Promise<void> => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !['host', 'connection', 'content-length'].includes(name)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const target = new URL(req.url ?? '/', subgraphUrl);
    const upstream = await fetch(target, { method: req.method ?? 'GET', headers, ...(body.length > 0 ? { body } : {}) });
    const answer = Buffer.from(await upstream.arrayBuffer());
    const passed: Record<string, string> = {};
    for (const name of ['content-type', 'cache-control']) {
      const value = upstream.headers.get(name);
      if (value !== null) passed[name] = value;
    }
    const reply = (): void => {
      res.writeHead(upstream.status, passed);
      res.end(answer);
    };
    if (holdAnswer) held.push(reply);
    else reply();
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const send = (holdAnswer = false): void => {
        forward(req, res, body, holdAnswer).catch(() => {
          if (!res.headersSent) res.writeHead(502);
          res.end();
        });
      };
      // Only GraphQL calls are subject to the mode; the gateway's /ready probes always pass.
      if (req.method !== 'POST') {
        send();
        return;
      }
      graphqlRequests += 1;
      switch (mode) {
        case 'forward':
          send();
          return;
        case 'hang':
          return;
        case 'fail':
          res.writeHead(503, { 'content-type': 'text/plain' });
          res.end('unavailable');
          return;
        case 'hold':
          held.push(() => send());
          return;
        case 'hold-query-answers':
          send(!isMutation(body));
          return;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/graphql`,
    get mode() {
      return mode;
    },
    set mode(next: ProxyMode) {
      mode = next;
    },
    get graphqlRequests() {
      return graphqlRequests;
    },
    get held() {
      return held.length;
    },
    release() {
      for (const send of held.splice(0)) send();
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function isMutation(body: Buffer): boolean {
  try {
    const { query } = JSON.parse(body.toString('utf8')) as { query?: unknown };
    return typeof query === 'string' && /^\s*mutation\b/.test(query);
  } catch {
    return false;
  }
}
