import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { afterEach, describe, expect, it } from 'vitest';
import { developmentGatewaySecret, GATEWAY_ISSUER, GatewayTokenSigner } from '../../lib/gatewayToken.js';
import type { SubgraphCallSettings } from './config.js';
import type { GatewayContext } from './context.js';
import { RETRY_BASE_DELAY_MS } from './resilience/retryPolicy.js';
import { SubgraphCalls, type SubgraphCallsOptions } from './resilience/SubgraphCalls.js';
import { SubgraphDataSource } from './SubgraphDataSource.js';

const QUERY = 'query Q__products__0{topProducts{upc}}';
const MUTATION = 'mutation M__orders__0{placeOrder{id}}';
const ANSWER = { data: { topProducts: [{ upc: '1' }] } };
const signer = new GatewayTokenSigner(developmentGatewaySecret(), GATEWAY_ISSUER);

type Behaviour = (req: IncomingMessage, res: ServerResponse, call: number) => void;

interface FakeSubgraph {
  readonly url: string;
  /** Requests that reached the server. */
  readonly calls: number;
  /** TCP connections the server accepted. */
  readonly connections: number;
  /** Most connections open at the same time. */
  readonly peakConnections: number;
}

const answer = (res: ServerResponse, status = 200, body: unknown = ANSWER): void => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

/** A real HTTP server on a loopback port standing in for a subgraph. */
async function startFakeSubgraph(behaviour: Behaviour): Promise<FakeSubgraph> {
  const stats = { calls: 0, connections: 0, open: 0, peak: 0 };
  const server = createServer((req, res) => {
    stats.calls += 1;
    const call = stats.calls;
    req.resume();
    req.on('end', () => behaviour(req, res, call));
  });
  server.on('connection', (socket) => {
    stats.connections += 1;
    stats.open += 1;
    stats.peak = Math.max(stats.peak, stats.open);
    socket.on('close', () => {
      stats.open -= 1;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return {
    url,
    get calls() {
      return stats.calls;
    },
    get connections() {
      return stats.connections;
    },
    get peakConnections() {
      return stats.peak;
    },
  };
}

const defaults: SubgraphCallSettings = { timeoutMs: 2_000, breakerThreshold: 5, breakerCooldownMs: 10_000, maxConnections: 128, deduplicateQueries: false };

function dataSourceFor(subgraph: FakeSubgraph, settings: Partial<SubgraphCallSettings> = {}, options: SubgraphCallsOptions = {}): SubgraphDataSource {
  const calls = new SubgraphCalls({ ...defaults, ...settings }, options);
  cleanups.push(() => calls.close());
  return new SubgraphDataSource('products', subgraph.url, signer, calls.forService('products'));
}

function call(dataSource: SubgraphDataSource, query = QUERY) {
  // The gateway's own kind of request (a health check) needs no incoming operation to stand in for.
  const options = { kind: 'health check', request: { query }, context: {} } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>;
  return dataSource.process(options);
}

/** What a client would see of the error a failed call leaves in the answer. */
async function failure(promise: Promise<unknown>): Promise<{ message: string; extensions: unknown }> {
  const error = (await promise.then(
    () => expect.unreachable('the call succeeded'),
    (thrown: unknown) => thrown,
  )) as { message: string; extensions: unknown };
  return { message: error.message, extensions: error.extensions };
}

const unavailable = { message: 'The products service is unavailable.', extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'products' } };

describe('calls to a subgraph', () => {
  it('gives up on a subgraph that does not answer in time, naming the service and never its URL', async () => {
    const subgraph = await startFakeSubgraph(() => {});
    const error = await failure(call(dataSourceFor(subgraph, { timeoutMs: 100 }), MUTATION));
    expect(error).toEqual({ message: 'The products service did not answer in time.', extensions: { code: 'SUBGRAPH_TIMEOUT', serviceName: 'products' } });
    expect(JSON.stringify(error)).not.toContain('127.0.0.1');
  });

  it('times out a subgraph that sends its headers and then stalls', async () => {
    const subgraph = await startFakeSubgraph((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"data":');
    });
    expect(await failure(call(dataSourceFor(subgraph, { timeoutMs: 100 }), MUTATION))).toMatchObject({ extensions: { code: 'SUBGRAPH_TIMEOUT' } });
  });

  it.each([502, 503, 504])('retries a query once after a %i and returns the second answer', async (status) => {
    const subgraph = await startFakeSubgraph((_req, res, n) => (n === 1 ? answer(res, status, { message: 'busy' }) : answer(res)));
    expect(await call(dataSourceFor(subgraph))).toMatchObject(ANSWER);
    expect(subgraph.calls).toBe(2);
  });

  it('calls a hung subgraph once: the timeout is one deadline for the call and its retry', async () => {
    const subgraph = await startFakeSubgraph((_req, res, n) => {
      if (n > 1) answer(res);
    });
    const startedAt = performance.now();
    expect(await failure(call(dataSourceFor(subgraph, { timeoutMs: 300 })))).toMatchObject({ extensions: { code: 'SUBGRAPH_TIMEOUT' } });
    expect(subgraph.calls).toBe(1);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(290);
  });

  it('waits a random part of the backoff before retrying', async () => {
    const arrivals: number[] = [];
    const subgraph = await startFakeSubgraph((_req, res, n) => {
      arrivals.push(performance.now());
      if (n === 1) answer(res, 503);
      else answer(res);
    });
    // The top of the jitter range: the whole first backoff.
    expect(await call(dataSourceFor(subgraph, {}, { random: () => 0.999 }))).toMatchObject(ANSWER);
    expect(arrivals).toHaveLength(2);
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(RETRY_BASE_DELAY_MS - 5);
  });

  it('does not retry when the backoff would outlast the deadline', async () => {
    const subgraph = await startFakeSubgraph((_req, res) => {
      setTimeout(() => answer(res, 503), 250);
    });
    expect(await failure(call(dataSourceFor(subgraph, { timeoutMs: 280 }, { random: () => 0.999 })))).toEqual(unavailable);
    expect(subgraph.calls).toBe(1);
  });

  it('retries a query at most once', async () => {
    const subgraph = await startFakeSubgraph((_req, res) => answer(res, 503));
    expect(await failure(call(dataSourceFor(subgraph)))).toEqual(unavailable);
    expect(subgraph.calls).toBe(2);
  });

  it('retries a query that could not connect, and fails it as unavailable', async () => {
    const subgraph = await startFakeSubgraph((_req, res) => res.socket?.destroy());
    expect(await failure(call(dataSourceFor(subgraph)))).toEqual(unavailable);
    expect(subgraph.calls).toBe(2);
  });

  it('never retries a mutation, whatever the failure', async () => {
    for (const behaviour of [(res: ServerResponse) => answer(res, 503), (res: ServerResponse) => res.socket?.destroy(), () => {}] as const) {
      const subgraph = await startFakeSubgraph((_req, res) => behaviour(res));
      await failure(call(dataSourceFor(subgraph, { timeoutMs: 100 }), MUTATION));
      expect(subgraph.calls).toBe(1);
    }
  });

  it('does not retry when the subgraph itself answered with an error', async () => {
    const subgraph = await startFakeSubgraph((_req, res) => answer(res, 500, { errors: [{ message: 'boom' }] }));
    expect(await failure(call(dataSourceFor(subgraph)))).toEqual({
      message: 'The products service failed (HTTP 500).',
      extensions: { code: 'SUBGRAPH_ERROR', serviceName: 'products' },
    });
    expect(subgraph.calls).toBe(1);
  });

  it('opens the circuit after consecutive failures and fails fast without touching the network', async () => {
    const subgraph = await startFakeSubgraph((_req, res) => answer(res, 503));
    const changes: string[] = [];
    const dataSource = dataSourceFor(subgraph, { breakerThreshold: 5 }, { onCircuitChange: (name, state) => changes.push(`${name} ${state}`) });
    await failure(call(dataSource, MUTATION));
    await failure(call(dataSource, MUTATION));
    // A query and its retry are two failures.
    await failure(call(dataSource));
    await failure(call(dataSource, MUTATION));
    expect(subgraph.calls).toBe(5);
    expect(changes).toEqual(['products open']);
    for (let i = 0; i < 10; i += 1) expect(await failure(call(dataSource))).toEqual(unavailable);
    expect(subgraph.calls).toBe(5);
  });

  it('lets one probe through after the cool-down and closes the circuit when it succeeds', async () => {
    let healthy = false;
    const subgraph = await startFakeSubgraph((_req, res) => (healthy ? answer(res) : answer(res, 503)));
    const clock = { now: 0 };
    const changes: string[] = [];
    const dataSource = dataSourceFor(
      subgraph,
      { breakerThreshold: 2, breakerCooldownMs: 10_000 },
      { now: () => clock.now, onCircuitChange: (_name, state) => changes.push(state) },
    );
    await failure(call(dataSource));
    expect(subgraph.calls).toBe(2);
    await failure(call(dataSource));
    expect(subgraph.calls).toBe(2);

    healthy = true;
    clock.now = 10_000;
    const [probe, duringProbe] = await Promise.allSettled([call(dataSource), call(dataSource)]);
    expect(probe).toMatchObject({ status: 'fulfilled', value: ANSWER });
    expect(duringProbe).toMatchObject({ status: 'rejected', reason: { extensions: unavailable.extensions } });
    expect(await call(dataSource)).toMatchObject(ANSWER);
    expect(subgraph.calls).toBe(4);
    expect(changes).toEqual(['open', 'half-open', 'closed']);
  });

  it('keeps the circuit open when a call that started before it opened succeeds late', async () => {
    const subgraph = await startFakeSubgraph((_req, res, n) => (n === 1 ? setTimeout(() => answer(res), 300) : answer(res, 503)));
    const changes: string[] = [];
    const dataSource = dataSourceFor(subgraph, { breakerThreshold: 2 }, { onCircuitChange: (_name, state) => changes.push(state) });
    const slow = call(dataSource);
    while (subgraph.calls < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    await failure(call(dataSource, MUTATION));
    await failure(call(dataSource, MUTATION));
    expect(changes).toEqual(['open']);
    expect(await slow).toMatchObject(ANSWER);
    expect(await failure(call(dataSource))).toEqual(unavailable);
    expect(subgraph.calls).toBe(3);
    expect(changes).toEqual(['open']);
  });

  it('keeps the circuit closed for a subgraph that answers, even with errors', async () => {
    const subgraph = await startFakeSubgraph((_req, res) => answer(res, 400, { errors: [{ message: 'bad' }] }));
    const dataSource = dataSourceFor(subgraph, { breakerThreshold: 2 });
    for (let i = 0; i < 5; i += 1) await failure(call(dataSource));
    expect(subgraph.calls).toBe(5);
  });

  it('reuses keep-alive connections for sequential calls instead of opening one per call', async () => {
    const subgraph = await startFakeSubgraph((_req, res) => answer(res));
    const dataSource = dataSourceFor(subgraph);
    for (let i = 0; i < 50; i += 1) expect(await call(dataSource)).toMatchObject(ANSWER);
    expect(subgraph.calls).toBe(50);
    // The second call may start a moment before the first connection is back in the pool, so two can be opened.
    expect(subgraph.connections).toBeLessThanOrEqual(2);
  });

  it('opens no more connections to a subgraph than the pool allows', async () => {
    const subgraph = await startFakeSubgraph((_req, res) => setTimeout(() => answer(res), 20));
    const dataSource = dataSourceFor(subgraph, { maxConnections: 4 });
    const answers = await Promise.all(Array.from({ length: 40 }, () => call(dataSource)));
    expect(answers).toHaveLength(40);
    expect(subgraph.calls).toBe(40);
    expect(subgraph.peakConnections).toBeLessThanOrEqual(4);
    expect(subgraph.connections).toBeLessThanOrEqual(4);
  });

  describe('identical queries in flight at once', () => {
    interface Policy {
      hints: { maxAge?: number; scope?: string }[];
      restrict(hint: { maxAge?: number; scope?: string }): void;
    }
    const incoming = (query: string, sub: string, operation: 'query' | 'mutation' = 'query') => {
      const policy: Policy = { hints: [], restrict: (hint) => policy.hints.push(hint) };
      const options = {
        kind: 'incoming operation',
        request: { query, variables: { upc: '1' }, http: { method: 'POST', url: '', headers: new Headers() } },
        context: { viewer: { sub, scopes: new Set<string>() }, requestId: 'r', caller: `user:${sub}`, forwardedHeaders: {}, changedEntities: new Set() },
        incomingRequestContext: { operation: { operation }, overallCachePolicy: policy, request: {}, context: {} },
      } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>;
      return { options, policy };
    };
    const slowAnswer: Behaviour = (_req, res) => {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=30, public' });
        res.end(JSON.stringify(ANSWER));
      }, 100);
    };

    it('share one subgraph call, each caller getting its own copy and cache hint', async () => {
      const subgraph = await startFakeSubgraph(slowAnswer);
      const dataSource = dataSourceFor(subgraph, { deduplicateQueries: true });
      const callers = Array.from({ length: 5 }, () => incoming(QUERY, 'u1'));
      const answers = await Promise.all(callers.map(({ options }) => dataSource.process(options)));
      expect(subgraph.calls).toBe(1);
      expect(answers.map((answer) => answer.data)).toEqual(Array(5).fill(ANSWER.data));
      expect(answers[0]?.data).not.toBe(answers[1]?.data);
      for (const { policy } of callers.slice(1)) expect(policy.hints).toContainEqual({ maxAge: 30, scope: 'PUBLIC' });
    });

    it('never share a call between different callers, or a mutation’s calls', async () => {
      const subgraph = await startFakeSubgraph(slowAnswer);
      const dataSource = dataSourceFor(subgraph, { deduplicateQueries: true });
      await Promise.all([incoming(QUERY, 'u1'), incoming(QUERY, 'u2')].map(({ options }) => dataSource.process(options)));
      expect(subgraph.calls).toBe(2);
      await Promise.all([incoming(QUERY, 'u1', 'mutation'), incoming(QUERY, 'u1', 'mutation')].map(({ options }) => dataSource.process(options)));
      expect(subgraph.calls).toBe(4);
    });
  });
});
