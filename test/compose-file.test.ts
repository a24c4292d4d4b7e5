import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readPrivateKey, readPublicKey } from '../lib/identityKeys.js';
import { readRegistry } from '../schema/registry.js';
import { builtFile, GATEWAY_ENTRY, subgraphEntry } from '../scripts/serviceCommands.js';
import { deployedCommandProblems } from './support/buildOutputs.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const hasDockerCompose = spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0;

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
const services = Object.entries(compose.services);
const registry = readRegistry();
const gatewayReplicas = services.filter(([, service]) => service.command?.includes(builtFile(GATEWAY_ENTRY)) === true);
const NGINX_CONF = 'deploy/nginx/nginx.conf';
// Comments dropped, so a commented-out line never counts as configuration.
const nginxConf = readFileSync(join(ROOT, NGINX_CONF), 'utf8').replace(/#.*$/gm, '');

/** The plain HTTP routes a server registers, from its `'GET /path'` route keys. */
function getRoutes(path: string): Set<string> {
  return new Set([...readFileSync(join(ROOT, path), 'utf8').matchAll(/['"`]GET (\/[^'"`\s]*)['"`]/g)].map((match) => match[1] ?? ''));
}

function env(service: ComposeService, name: string): string | undefined {
  const value = service.environment?.[name];
  return value === undefined ? undefined : String(value);
}

/** The path a healthcheck asks for, e.g. `/ready` in `fetch('http://127.0.0.1:'+PORT+'/ready')`. */
function healthcheckPath(service: ComposeService): string | undefined {
  return /https?:\/\/[^/'"\s]+(?:'\+[^+]+\+')?(\/[\w/-]*)/.exec(service.healthcheck?.test.join(' ') ?? '')?.[1];
}

/** Server addresses of the nginx upstream named `name`. */
function upstreamServers(name: string): string[] {
  const block = new RegExp(`upstream\\s+${name}\\s*\\{([^}]*)\\}`).exec(nginxConf)?.[1] ?? '';
  return [...block.matchAll(/^\s*server\s+([^\s;]+)/gm)].map((match) => match[1] ?? '');
}

function directive(name: string): string[] {
  return [...nginxConf.matchAll(new RegExp(`^\\s*${name}\\s+([^;]+);`, 'gm'))].map((match) => (match[1] ?? '').trim());
}

function seconds(value: string): number {
  const match = /^(\d+)(ms|s|m)?$/.exec(value);
  if (match === null) return Number.NaN;
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60 };
  const unit = units[match[2] ?? 's'] ?? Number.NaN;
  return Number(match[1]) * unit;
}

describe('docker-compose.yml', () => {
  it.skipIf(!hasDockerCompose)('is valid for docker-compose', () => {
    expect(() => execFileSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], { cwd: ROOT, stdio: 'pipe' })).not.toThrow();
  });

  it('runs every registered subgraph on Postgres, with the peers it calls', () => {
    const problems = registry.flatMap((entry) => {
      const service = compose.services[entry.name];
      if (service === undefined) return [`no service named ${entry.name}`];
      return [
        ...(service.command?.includes(builtFile(subgraphEntry(entry.name))) === true
          ? []
          : [`${entry.name} does not run ${builtFile(subgraphEntry(entry.name))}`]),
        ...(env(service, 'PORT') === String(entry.port) ? [] : [`${entry.name}: PORT is ${String(env(service, 'PORT'))}, registry port ${entry.port}`]),
        ...(new URL(env(service, 'DATABASE_URL') ?? 'unset:').hostname === 'postgres'
          ? []
          : [`${entry.name}: DATABASE_URL does not point at the postgres service`]),
        ...(service.depends_on?.['postgres']?.condition === 'service_healthy' ? [] : [`${entry.name} does not wait for a healthy postgres`]),
        ...entry.peers.flatMap((peer) => {
          const url = `http://${peer}:${String(registry.find((candidate) => candidate.name === peer)?.port)}/graphql`;
          return env(service, `SUBGRAPH_${peer.toUpperCase()}_URL`) === url ? [] : [`${entry.name}: SUBGRAPH_${peer.toUpperCase()}_URL should be ${url}`];
        }),
      ];
    });
    expect(problems).toEqual([]);
  });

  it('runs each Node service from a file the build writes, with source maps and without tsx', () => {
    const nodeServices = services.filter(([, service]) => service.command?.[0] === 'node');
    expect(nodeServices.map(([name]) => name).sort()).toEqual([...registry.map((entry) => entry.name), ...gatewayReplicas.map(([name]) => name)].sort());
    const isGateway = (name: string): boolean => gatewayReplicas.some(([replica]) => replica === name);
    const problems = nodeServices.flatMap(([name, service]) =>
      deployedCommandProblems(name, service.command, isGateway(name) ? GATEWAY_ENTRY : subgraphEntry(name)),
    );
    expect(problems).toEqual([]);
  });

  it('runs two gateway replicas, each pointed at every subgraph and at the shared Redis', () => {
    expect(gatewayReplicas.map(([name]) => name)).toEqual(expect.arrayContaining(['gateway-1', 'gateway-2']));
    const problems = gatewayReplicas.flatMap(([name, service]) => [
      ...(env(service, 'REDIS_URL') === 'redis://redis:6379' ? [] : [`${name}: REDIS_URL is ${String(env(service, 'REDIS_URL'))}`]),
      ...(service.depends_on?.['redis']?.condition === 'service_healthy' ? [] : [`${name} does not wait for a healthy redis`]),
      // Clients reach replicas only through the edge; a published port would bypass it.
      ...(service.ports === undefined ? [] : [`${name} publishes ports ${service.ports.join(', ')}`]),
      ...registry.flatMap((entry) => [
        ...(env(service, `SUBGRAPH_${entry.name.toUpperCase()}_URL`) === `http://${entry.name}:${entry.port}/graphql`
          ? []
          : [`${name}: SUBGRAPH_${entry.name.toUpperCase()}_URL does not point at the ${entry.name} service`]),
        ...(service.depends_on?.[entry.name]?.condition === 'service_healthy' ? [] : [`${name} does not wait for a healthy ${entry.name}`]),
      ]),
    ]);
    expect(problems).toEqual([]);
    const [first] = gatewayReplicas.map(([, service]) => service.environment);
    expect(
      gatewayReplicas
        .filter(([, service]) => JSON.stringify(service.environment) !== JSON.stringify(first))
        .map(([name]) => `${name} is configured unlike the first replica`),
    ).toEqual([]);
  });

  it('gives every signer its own key and every verifier the matching public one', () => {
    // `${NAME:-default}`: the value compose uses when NAME is not exported.
    const valueOf = (raw: string | undefined) => /^\$\{[A-Z_]+:-([\s\S]*)\}$/.exec(raw ?? '')?.[1] ?? raw;
    const problems = [
      ...gatewayReplicas.flatMap(([name, service]) => (env(service, 'GATEWAY_SIGNING_KEY') === undefined ? [`${name}: no GATEWAY_SIGNING_KEY`] : [])),
      ...registry.flatMap((entry) => {
        const service = compose.services[entry.name];
        if (service === undefined) return [];
        const jwksUrl = new URL(env(service, 'GATEWAY_JWKS_URL') ?? 'http://unset');
        const problems: string[] = [];
        // The edge proxies every path to the replicas; a replica serves the key set itself.
        if (!(jwksUrl.hostname === 'edge' || gatewayReplicas.some(([name]) => name === jwksUrl.hostname)))
          problems.push(`${entry.name}: GATEWAY_JWKS_URL does not point at the edge or a gateway replica`);
        if (!getRoutes('gateway/src/supergate.ts').has(jwksUrl.pathname))
          problems.push(`${entry.name}: GATEWAY_JWKS_URL asks for ${jwksUrl.pathname}, which the gateway does not serve`);
        const signingKey = entry.peers.length === 0 ? undefined : readPrivateKey('SERVICE_SIGNING_KEY', valueOf(env(service, 'SERVICE_SIGNING_KEY')));
        if (entry.peers.length > 0 && signingKey === undefined) problems.push(`${entry.name}: calls peers but has no SERVICE_SIGNING_KEY`);
        for (const peer of entry.peers) {
          const variable = `SERVICE_${entry.name.toUpperCase()}_PUBLIC_KEY`;
          const publicKey = readPublicKey(variable, valueOf(env(compose.services[peer] ?? {}, variable)));
          if (publicKey === undefined || signingKey === undefined || !publicKey.equals(signingKey.publicKey))
            problems.push(`${peer}: ${variable} is not the public half of ${entry.name}'s SERVICE_SIGNING_KEY`);
        }
        return problems;
      }),
    ];
    expect(problems).toEqual([]);
  });

  it('healthchecks ask for routes the services serve, and every awaited service has one', () => {
    const gatewayRoutes = getRoutes('gateway/src/supergate.ts');
    const subgraphRoutes = getRoutes('subgraphs/kit/startSubgraph.ts');
    const problems = services.flatMap(([name, service]) => {
      const routes =
        service.command?.includes(builtFile(GATEWAY_ENTRY)) === true
          ? gatewayRoutes
          : registry.some((entry) => entry.name === name)
            ? subgraphRoutes
            : undefined;
      const path = healthcheckPath(service);
      return [
        ...(routes !== undefined && (path === undefined || !routes.has(path))
          ? [`${name}: healthcheck asks for ${String(path)}, which the code does not serve`]
          : []),
        // `service_healthy` on a service without a healthcheck waits forever.
        ...Object.entries(service.depends_on ?? {})
          .filter(([dependency, { condition }]) => condition === 'service_healthy' && compose.services[dependency]?.healthcheck === undefined)
          .map(([dependency]) => `${name} waits for ${dependency} to be healthy, but ${dependency} has no healthcheck`),
      ];
    });
    expect(problems).toEqual([]);
    expect(gatewayReplicas.map(([, service]) => healthcheckPath(service))).toEqual(gatewayReplicas.map(() => '/ready'));
  });

  it('Prometheus scrapes every replica on its metrics port, which the replicas bind on the container network', () => {
    const scrape = parse(readFileSync(join(ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: { metrics_path?: string; static_configs: { targets: string[] }[] }[];
    };
    const prometheus = compose.services['prometheus'];
    expect(prometheus?.volumes).toContain('./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
    const targets = scrape.scrape_configs.flatMap((job) => job.static_configs.flatMap((config) => config.targets));
    expect(targets.sort()).toEqual(gatewayReplicas.map(([name, service]) => `${name}:${String(env(service, 'METRICS_PORT'))}`).sort());
    expect(scrape.scrape_configs.map((job) => job.metrics_path ?? '/metrics')).toEqual(['/metrics']);
    const problems = gatewayReplicas.flatMap(([name, service]) => [
      ...(env(service, 'METRICS_HOST') === '0.0.0.0'
        ? []
        : [`${name}: METRICS_HOST is ${String(env(service, 'METRICS_HOST'))}, unreachable from the prometheus container`]),
      ...(env(service, 'METRICS_PORT') !== env(service, 'PORT') ? [] : [`${name}: metrics on the GraphQL port`]),
    ]);
    expect(problems).toEqual([]);
  });

  it('puts an nginx edge on port 4000 in front of the replicas', () => {
    const edge = compose.services['edge'];
    expect(edge?.image).toBe('nginx:1.27-alpine');
    expect(edge?.volumes).toContain(`./${NGINX_CONF}:/etc/nginx/nginx.conf:ro`);
    expect(edge?.ports).toEqual(['4000:4000']);
    expect(directive('listen')).toEqual(['4000']);
    expect(Object.keys(edge?.depends_on ?? {}).sort()).toEqual(gatewayReplicas.map(([name]) => name).sort());
    expect(Object.values(edge?.depends_on ?? {}).every(({ condition }) => condition === 'service_healthy')).toBe(true);
    expect(healthcheckPath(edge ?? {})).toBe('/health');
  });
});

describe('the nginx edge (deploy/nginx/nginx.conf)', () => {
  it('balances over every gateway replica, on the port each listens on', () => {
    const upstreams = directive('proxy_pass').map((target) => /^http:\/\/([\w-]+)$/.exec(target)?.[1]);
    expect(new Set(upstreams).size, 'every location proxies to one upstream').toBe(1);
    const servers = upstreamServers(upstreams[0] ?? '');
    expect(servers.sort()).toEqual(gatewayReplicas.map(([name, service]) => `${name}:${String(env(service, 'PORT'))}`).sort());
  });

  it('keeps connections to the replicas alive', () => {
    expect(directive('keepalive').map(Number)[0]).toBeGreaterThan(0);
    // Without HTTP/1.1 and an empty Connection header nginx closes every upstream connection.
    expect(directive('proxy_http_version')).toEqual(['1.1']);
    expect(directive('proxy_set_header')).toContain('Connection ""');
  });

  it('passes the request id and the client address to the gateway', () => {
    const headers = new Map(directive('proxy_set_header').map((value) => [value.split(/\s+/)[0]?.toLowerCase(), value.split(/\s+/).slice(1).join(' ')]));
    expect(headers.get('x-forwarded-for')).toBe('$proxy_add_x_forwarded_for');
    const requestId = headers.get('x-request-id') ?? '';
    // Either nginx's own id, the client's, or a map choosing between them.
    const mapped = new RegExp(`map\\s+\\$http_x_request_id\\s+\\${requestId}\\s*\\{[^}]*\\$request_id`).test(nginxConf);
    expect(['$request_id', '$http_x_request_id'].includes(requestId) || mapped, `X-Request-Id is set from ${requestId}`).toBe(true);
  });

  it('waits a sensible time for a GraphQL answer', () => {
    const [readTimeout] = directive('proxy_read_timeout').map(seconds);
    expect(readTimeout).toBeGreaterThanOrEqual(10);
    expect(readTimeout).toBeLessThanOrEqual(300);
  });

  it('serves /health from the gateway replicas', () => {
    expect(getRoutes('gateway/src/supergate.ts').has('/health')).toBe(true);
    // The exact-match location when there is one, else the catch-all.
    const block = /location\s+=\s*\/health\s*\{([^}]*)\}/.exec(nginxConf)?.[1] ?? /location\s+\/\s*\{([^}]*)\}/.exec(nginxConf)?.[1];
    expect(block).toMatch(/proxy_pass\s+http:\/\//);
  });
});
