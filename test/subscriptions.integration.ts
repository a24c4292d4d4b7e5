import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { PubSub } from 'graphql-subscriptions';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient, type Client } from 'graphql-ws';
import jwt from 'jsonwebtoken';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readGatewayConfig } from '../gateway/src/config.js';
import { createSupergate, type Supergate } from '../gateway/src/supergate.js';
import { GATEWAY_TOKEN_HEADER } from '../lib/gatewayToken.js';
import { createLogger } from '../lib/logger.js';
import { postGraphQL, readCounter } from './support/http.js';
import { LABELS_SDL, startLabelSubgraph, startTickSubgraph, TICKS_SDL, type FixtureSubgraph } from './support/tickSubgraphs.js';
import { postMultipart, readMultipart } from './support/multipart.js';
import { waitFor } from './support/waitFor.js';

const JWT_SECRET = 'subscriptions-test-secret-0123456789abcdef-0123';
const TICKED = 'subscription { ticked { id seq label } }';

function bearer(sub: string, expiresIn = 300): string {
  return `Bearer ${jwt.sign({ scope: '' }, JWT_SECRET, { algorithm: 'HS256', subject: sub, expiresIn })}`;
}

interface Received {
  readonly events: unknown[];
  error: unknown;
  completed: boolean;
}

function subscribeWs(client: Client, query: string, variables: Record<string, unknown> = {}): Received & { stop: () => void } {
  const received: Received = { events: [], error: undefined, completed: false };
  const stop = client.subscribe(
    { query, variables },
    {
      next: (value) => void received.events.push(value),
      error: (error) => (received.error = error),
      complete: () => (received.completed = true),
    },
  );
  return Object.assign(received, { stop });
}

describe('subscriptions through the gateway', () => {
  const pubsub = new PubSub();
  let ticks: FixtureSubgraph;
  let labels: FixtureSubgraph;
  let gateway: Supergate;
  let url: string;
  let wsUrl: string;
  let folder: string;
  let supergraphSdl: string;
  const clients: Client[] = [];

  const wsClient = (connectionParams: Record<string, unknown> = {}, closed?: (code: number) => void, at = wsUrl): Client => {
    const client = createClient({
      url: at,
      webSocketImpl: WebSocket,
      connectionParams,
      retryAttempts: 0,
      lazy: true,
      on: { closed: (event) => closed?.((event as { code: number }).code) },
    });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    ticks = await startTickSubgraph(pubsub);
    labels = await startLabelSubgraph();
    const composed = composeServices([
      { name: 'ticks', url: ticks.url, typeDefs: TICKS_SDL },
      { name: 'labels', url: labels.url, typeDefs: LABELS_SDL },
    ]);
    if (composed.errors !== undefined) throw new Error(composed.errors.map((error) => error.message).join('\n'));
    folder = mkdtempSync(join(tmpdir(), 'supergate-subscriptions-'));
    writeFileSync(join(folder, 'supergraph.graphql'), composed.supergraphSdl);
    supergraphSdl = composed.supergraphSdl;
    ({ gateway, url } = await startGateway());
    wsUrl = url.replace('http', 'ws');
  });

  const startGateway = async (overrides: Record<string, string> = {}): Promise<{ gateway: Supergate; url: string }> => {
    const config = readGatewayConfig({
      NODE_ENV: 'test',
      PORT: '0',
      METRICS_PORT: '0',
      JWT_SECRET,
      SUPERGRAPH_PATH: join(folder, 'supergraph.graphql'),
      SUBSCRIPTIONS_MAX_PER_CONNECTION: '3',
      SUBSCRIPTION_BUFFER_EVENTS: '4',
      CORS_ORIGINS: 'https://shop.example',
      SUBSCRIPTIONS_MAX_PER_CALLER: '5',
      ...overrides,
    });
    const started = createSupergate({ config, logger: createLogger('gateway', 'silent') });
    return { gateway: started, url: await started.listen() };
  };

  afterEach(async () => {
    for (const client of clients.splice(0)) await client.dispose();
  });

  afterAll(async () => {
    await gateway?.stop();
    await ticks?.stop();
    await labels?.stop();
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  });

  const published = async (seq: number, until: () => boolean): Promise<void> => {
    await waitFor(
      'the event to arrive',
      async () => {
        if (until()) return true;
        await pubsub.publish('tick', { seq });
        return until();
      },
      10_000,
    );
  };

  it('streams each event over graphql-ws with the fields another subgraph owns joined in', async () => {
    const sub = subscribeWs(wsClient({ authorization: bearer('u1') }), TICKED);
    await published(7, () => sub.events.length > 0);
    expect(sub.events[0]).toEqual({ data: { ticked: { id: '7', seq: 7, label: 'tick 7' } } });
    expect(typeof ticks.subscribeExtensions.at(-1)?.[GATEWAY_TOKEN_HEADER]).toBe('string');
    sub.stop();
  });

  it('streams over graphql-sse, distinct connections', async () => {
    const client = createSseClient({ url, headers: { authorization: bearer('u1') }, retryAttempts: 0 });
    const events: unknown[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const stop = client.subscribe(
        { query: TICKED },
        {
          next: (value) => {
            events.push(value);
            stop();
            resolve();
          },
          error: reject,
          complete: resolve,
        },
      );
    });
    await published(8, () => events.length > 0);
    await done;
    expect(events[0]).toEqual({ data: { ticked: { id: '8', seq: 8, label: 'tick 8' } } });
    client.dispose();
    // The client left: its subscription ends, upstream too.
    const sseActive = async () =>
      Number(/gateway_subscriptions_active\{subgraph="ticks",protocol="sse"\} (\d+)/.exec(await (await fetch(new URL('/metrics', url))).text())?.[1]);
    await waitFor('the SSE subscription to end', async () => (await sseActive()) === 0, 5000);
  });

  it('streams Apollo multipart subscriptions, starting with a heartbeat part', async () => {
    const response = await postMultipart(url, TICKED, bearer('u1'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('multipart/mixed;boundary="graphql";subscriptionSpec="1.0"');
    const parts: Record<string, unknown>[] = [];
    const reading = readMultipart(response, (part) => {
      parts.push(part);
      return !('payload' in part);
    });
    await published(9, () => parts.some((part) => 'payload' in part));
    await reading;
    expect(parts[0]).toEqual({});
    expect(parts.at(-1)).toEqual({ payload: { data: { ticked: { id: '9', seq: 9, label: 'tick 9' } } } });
  });

  it('keeps an HTTP stream open past REQUEST_TIMEOUT_MS, which bounds receiving the request only', async () => {
    const short = await startGateway({ REQUEST_TIMEOUT_MS: '1000', HEADERS_TIMEOUT_MS: '500' });
    try {
      const response = await postMultipart(short.url, TICKED, bearer('u22'));
      const parts: Record<string, unknown>[] = [];
      const reading = readMultipart(response, (part) => {
        parts.push(part);
        return !('payload' in part);
      });
      await new Promise((resolve) => setTimeout(resolve, 2500));
      await published(700, () => parts.some((part) => 'payload' in part));
      await reading;
      expect(parts.at(-1)).toEqual({ payload: { data: { ticked: { id: '700', seq: 700, label: 'tick 700' } } } });
    } finally {
      await short.gateway.stop();
    }
  });

  it('refuses a subscription sent as a plain POST', async () => {
    const { status, body } = await postGraphQL(url, TICKED);
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.['code']).toBe('OPERATION_NOT_SUPPORTED');
  });

  it('closes a WebSocket with 4403 when connection_init carries a bad token, and answers SSE and multipart 401', async () => {
    let code: number | undefined;
    const sub = subscribeWs(
      wsClient({ Authorization: 'Bearer not-a-token' }, (closed) => (code = closed)),
      TICKED,
    );
    await waitFor('the socket to close', () => code !== undefined, 5000);
    expect(code).toBe(4403);
    expect(sub.events).toEqual([]);
    for (const accept of ['text/event-stream', 'multipart/mixed;subscriptionSpec="1.0"']) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept, authorization: 'Bearer not-a-token' },
        body: JSON.stringify({ query: TICKED }),
      });
      expect(response.status).toBe(401);
      expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
    }
  });

  it('reads the token from a nested headers object in connection_init', async () => {
    const sub = subscribeWs(wsClient({ headers: { Authorization: bearer('u3') } }), TICKED);
    await published(10, () => sub.events.length > 0);
    expect(sub.events[0]).toEqual({ data: { ticked: { id: '10', seq: 10, label: 'tick 10' } } });
  });

  it('refuses a WebSocket upgrade from a page of an origin not on the CORS list', async () => {
    const status = await new Promise<number>((resolve) => {
      const socket = new WebSocket(wsUrl, 'graphql-transport-ws', { headers: { origin: 'https://evil.example' } });
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.on('open', () => resolve(101));
    });
    expect(status).toBe(403);
    const allowed = await new Promise<number>((resolve) => {
      const socket = new WebSocket(wsUrl, 'graphql-transport-ws', { headers: { origin: 'https://shop.example' } });
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.on('open', () => {
        socket.close();
        resolve(101);
      });
    });
    expect(allowed).toBe(101);
  });

  it('refuses a subscription past SUBSCRIPTIONS_MAX_PER_CONNECTION with SUBSCRIPTION_LIMIT_EXCEEDED', async () => {
    const client = wsClient({ authorization: bearer('u4') });
    const subs = [1, 2, 3, 4].map(() => subscribeWs(client, TICKED));
    await waitFor('the fourth to be refused', () => subs[3]!.error !== undefined, 5000);
    expect(subs[3]!.error).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'SUBSCRIPTION_LIMIT_EXCEEDED', limit: 'SUBSCRIPTIONS_MAX_PER_CONNECTION' }) }),
    ]);
    await published(11, () => subs.slice(0, 3).every((sub) => sub.events.length > 0));
  });

  it('refuses a caller past SUBSCRIPTIONS_MAX_PER_CALLER over any protocol, and the gateway past SUBSCRIPTIONS_MAX', async () => {
    const open = (at: string, sub: string) => postMultipart(at, TICKED, bearer(sub));
    const streams = await Promise.all([1, 2, 3, 4, 5].map(() => open(url, 'u12')));
    expect(streams.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
    const sixth = await open(url, 'u12');
    expect(sixth.status).toBe(429);
    expect(await sixth.json()).toEqual({
      errors: [{ message: expect.any(String), extensions: { code: 'SUBSCRIPTION_LIMIT_EXCEEDED', limit: 'SUBSCRIPTIONS_MAX_PER_CALLER' } }],
    });
    // Another caller is not held back by u12's subscriptions.
    const other = subscribeWs(wsClient({ authorization: bearer('u13') }), TICKED);
    for (const response of streams) await response.body?.cancel();
    await published(12, () => other.events.length > 0);

    const small = await startGateway({ SUBSCRIPTIONS_MAX: '2' });
    try {
      const first = await Promise.all([open(small.url, 'u14'), open(small.url, 'u15')]);
      const third = await open(small.url, 'u16');
      expect(third.status).toBe(429);
      expect(((await third.json()) as { errors: { extensions: Record<string, unknown> }[] }).errors[0]?.extensions['limit']).toBe('SUBSCRIPTIONS_MAX');
      for (const response of first) await response.body?.cancel();
    } finally {
      await small.gateway.stop();
    }
  });

  it('ends the subscription with UNAUTHENTICATED when the token expires', async () => {
    const sub = subscribeWs(wsClient({ authorization: bearer('u5', 2) }), TICKED);
    await waitFor('the subscription to end', () => sub.completed || sub.error !== undefined, 8000);
    expect(sub.events.at(-1)).toEqual({ errors: [expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED' } })] });
  });

  it('shares one upstream subscription and one join per event between subscribers with the same operation and rights, never between two users', async () => {
    const upstreamBefore = ticks.subscribeExtensions.length;
    const first = subscribeWs(wsClient({ authorization: bearer('u20') }), TICKED);
    const second = subscribeWs(wsClient({ authorization: bearer('u20') }), TICKED);
    const otherUser = subscribeWs(wsClient({ authorization: bearer('u21') }), TICKED);
    // A new event each time, until one reaches all three.
    let seq = 600;
    await waitFor('an event for all three', async () => {
      seq += 1;
      await pubsub.publish('tick', { seq });
      await new Promise((resolve) => setTimeout(resolve, 50));
      return [first, second, otherUser].every((sub) => sub.events.some((event) => JSON.stringify(event).includes(`"seq":${seq}`)));
    });
    const upstream = ticks.subscribeExtensions.slice(upstreamBefore);
    expect(upstream).toHaveLength(2);
    const subjects = upstream.map((extensions) => (jwt.decode(String(extensions[GATEWAY_TOKEN_HEADER])) as { sub: string }).sub).sort();
    expect(subjects).toEqual(['u20', 'u21']);
    // Shared subscribers got the same events; the event all three got was joined once per caller.
    expect(second.events).toEqual(first.events);
    expect(labels.entityFetches.ids.filter((id) => id === String(seq))).toEqual([String(seq), String(seq)]);
    // The shared upstream subscription outlives one of its subscribers, and ends with the last.
    first.stop();
    const count = second.events.length;
    await published(601, () => second.events.length > count);
    second.stop();
    otherUser.stop();
  });

  it("shares one caller's identical join calls between its different subscriptions, as between queries", async () => {
    const withSeq = subscribeWs(wsClient({ authorization: bearer('u23') }), 'subscription { ticked { seq label } }');
    const withId = subscribeWs(wsClient({ authorization: bearer('u23') }), 'subscription { ticked { id label } }');
    let seq = 800;
    await waitFor('an event for both', async () => {
      seq += 1;
      await pubsub.publish('tick', { seq });
      await new Promise((resolve) => setTimeout(resolve, 50));
      return [withSeq, withId].every((sub) => sub.events.some((event) => JSON.stringify(event).includes(`tick ${seq}`)));
    });
    // Two upstream subscriptions (the documents differ), one call to labels for the event both joined at once.
    expect(labels.entityFetches.ids.filter((id) => id === String(seq))).toEqual([String(seq)]);
  });

  it('ends a slow consumer with SUBSCRIPTION_BUFFER_OVERFLOW, while another subscriber gets every event', async () => {
    const fast = subscribeWs(wsClient({ authorization: bearer('u6') }), 'subscription { ticked { seq } }');
    await published(100, () => fast.events.length > 0);
    const dropped = await readCounter(url, 'gateway_subscription_events_dropped_total');
    const { response, parts } = await openPausedMultipart(url, 'subscription { ticked { seq blob(size: 262144) } }', bearer('u7'));
    const before = fast.events.length;
    // 40 events of 256 KiB: far more than the socket buffers hold, so the gateway must stop writing and then give up.
    // Paced, so a reader that keeps up never has more than SUBSCRIPTION_BUFFER_EVENTS (4) waiting.
    for (let seq = 1; seq <= 40; seq += 1) {
      await pubsub.publish('tick', { seq });
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await waitFor('the overflow to be counted', async () => (await readCounter(url, 'gateway_subscription_events_dropped_total')) > dropped, 10_000);
    await waitFor('the fast subscriber to get all 40', () => fast.events.length >= before + 40, 10_000);
    response.resume();
    await new Promise((resolve) => response.once('end', resolve));
    const last = JSON.parse(parts().at(-1)!) as { payload: unknown; errors: { extensions: Record<string, unknown> }[] };
    expect(last.payload).toBeNull();
    expect(last.errors[0]?.extensions).toEqual({ code: 'SUBSCRIPTION_BUFFER_OVERFLOW', limit: 'SUBSCRIPTION_BUFFER_EVENTS' });
    // The consumer got at most the buffer's worth beyond what its socket held, never all 40.
    expect(parts().filter((part) => part.includes('"payload":{')).length).toBeLessThan(40);
  });

  it('ends subscriptions with SUBGRAPH_UNAVAILABLE when the owning subgraph restarts, and subscribes again once it is back', async () => {
    const sub = subscribeWs(wsClient({ authorization: bearer('u8') }), TICKED);
    await published(200, () => sub.events.length > 0);
    await ticks.stop();
    await waitFor('the subscription to end', () => sub.completed || sub.error !== undefined, 10_000);
    expect(sub.events.at(-1)).toEqual({ errors: [expect.objectContaining({ extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'ticks' } })] });
    await ticks.start();
    const again = subscribeWs(wsClient({ authorization: bearer('u8') }), TICKED);
    await published(201, () => again.events.length > 0);
    expect(again.events[0]).toEqual({ data: { ticked: { id: '201', seq: 201, label: 'tick 201' } } });
  });

  it('keeps running subscriptions when the supergraph is reloaded', async () => {
    const sub = subscribeWs(wsClient({ authorization: bearer('u9') }), TICKED);
    await published(300, () => sub.events.length > 0);
    const reloads = await readCounter(url, 'gateway_supergraph_reloads_total');
    writeFileSync(join(folder, 'supergraph.graphql'), `${supergraphSdl}\n# reloaded\n`);
    await waitFor('the reload', async () => (await readCounter(url, 'gateway_supergraph_reloads_total')) > reloads, 10_000);
    const count = sub.events.length;
    await published(301, () => sub.events.length > count);
    expect(sub.events.at(-1)).toEqual({ data: { ticked: { id: '301', seq: 301, label: 'tick 301' } } });
    expect(sub.completed).toBe(false);
  });

  it('reports active subscriptions and delivered events by subgraph and protocol', async () => {
    const sub = subscribeWs(wsClient({ authorization: bearer('u10') }), TICKED);
    await published(400, () => sub.events.length > 0);
    const metrics = await (await fetch(new URL('/metrics', url))).text();
    expect(metrics).toMatch(/gateway_subscriptions_active\{subgraph="ticks",protocol="graphql-ws"\} [1-9]/);
    expect(metrics).toMatch(/gateway_subscription_events_total\{subgraph="ticks",protocol="multipart"\} [1-9]/);
    expect(metrics).toMatch(/gateway_subscription_errors_total\{code="SUBSCRIPTION_LIMIT_EXCEEDED"\} [1-9]/);
  });

  it('closes WebSockets with 1001 and ends HTTP streams when the gateway stops', async () => {
    const second = await startGateway();
    let code: number | undefined;
    const sub = subscribeWs(
      wsClient({ authorization: bearer('u11') }, (closed) => (code = closed), second.url.replace('http', 'ws')),
      TICKED,
    );
    await published(500, () => sub.events.length > 0);
    const response = await postMultipart(second.url, TICKED, bearer('u11'));
    const parts: Record<string, unknown>[] = [];
    const reading = readMultipart(response, (part) => {
      parts.push(part);
      return true;
    });
    const stopping = second.gateway.stop();
    await reading;
    await stopping;
    await waitFor('the socket to close', () => code !== undefined, 5000);
    expect(code).toBe(1001);
    expect(parts.at(-1)).toEqual({ payload: null, errors: [expect.objectContaining({ extensions: { code: 'SHUTTING_DOWN' } })] });
  });
});

/** A multipart subscription whose reader stops reading at once: the response is paused and its raw parts kept for later. */
async function openPausedMultipart(url: string, query: string, authorization: string): Promise<{ response: IncomingMessage; parts: () => string[] }> {
  const target = new URL(url);
  const body = JSON.stringify({ query });
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'multipart/mixed;subscriptionSpec="1.0"', authorization },
      },
      resolve,
    );
    req.once('error', reject);
    req.end(body);
  });
  response.pause();
  let text = '';
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => (text += chunk));
  response.pause();
  return {
    response,
    parts: () =>
      text
        .split('\r\n--graphql')
        .map((part) => part.slice(part.indexOf('\r\n\r\n') + 4))
        .filter((part) => part.startsWith('{')),
  };
}
