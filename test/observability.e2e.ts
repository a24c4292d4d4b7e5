import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRegistry } from '../schema/registry.js';
import { postGraphQL } from './support/http.js';
import { startInProcessSystem, type InProcessSystem } from './support/inProcessSystem.js';
import { startSupergate, type RunningSupergate } from './support/supergate.js';

// Traces come from the OpenTelemetry SDK's global tracer provider, one per process: the traced
// gateway is a process of its own, from the build, in front of subgraphs served in this one.

interface OtlpExport {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
    scopeSpans?: { spans?: { name: string }[] }[];
  }[];
}

/** A stand-in OpenTelemetry collector: records what is POSTed to /v1/traces. */
async function startCollector(): Promise<{ url: string; exports: OtlpExport[]; server: Server }> {
  const exports: OtlpExport[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') exports.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport);
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, exports, server };
}

describe('observability: traces', () => {
  let system: InProcessSystem;
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let traced: RunningSupergate | undefined;

  beforeAll(async () => {
    collector = await startCollector();
    system = await startInProcessSystem({ env: { NODE_ENV: 'test', LOG_LEVEL: 'warn' } });
    const signingKey = system.identityKeys?.gateway.privateKey;
    if (signingKey === undefined) throw new Error('the system was started without made-up identity keys');
    const subgraphUrls = readRegistry().flatMap(({ name }) => ['--subgraph-url', `${name}=${String(system.services.get(name)?.url)}`]);
    traced = await startSupergate(['--supergraph', 'schema/supergraph.graphql', '--port', '0', '--metrics-port', '0', ...subgraphUrls], {
      // OTEL_BSP_SCHEDULE_DELAY is read by the OpenTelemetry SDK itself: export batches every 100 ms rather than every 5 s.
      env: { NODE_ENV: 'test', LOG_LEVEL: 'warn', GATEWAY_SIGNING_KEY: signingKey, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_BSP_SCHEDULE_DELAY: '100' },
    });
  });

  afterAll(async () => {
    await traced?.stop();
    await system?.stop();
    await new Promise((resolve) => collector?.server.close(resolve));
  });

  it('exports the gateway’s spans over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set', async () => {
    const response = await postGraphQL(traced!.url, 'query Spanned { topProducts(first: 2) { name reviews(first: 1) { rating } } }', undefined, {
      'cache-control': 'no-cache',
    });
    expect(response.status).toBe(200);
    const exported = () =>
      collector.exports.flatMap((batch) =>
        (batch.resourceSpans ?? []).flatMap((resourceSpans) => {
          const service = resourceSpans.resource?.attributes?.find((attribute) => attribute.key === 'service.name')?.value.stringValue;
          return (resourceSpans.scopeSpans ?? []).flatMap((scope) => (scope.spans ?? []).map((span) => `${String(service)}: ${span.name}`));
        }),
      );
    await expect
      .poll(exported, { timeout: 15_000, interval: 200 })
      .toEqual(expect.arrayContaining(['supergate-gateway: gateway.request', 'supergate-gateway: gateway.plan', 'supergate-gateway: gateway.fetch']));
  });
});
