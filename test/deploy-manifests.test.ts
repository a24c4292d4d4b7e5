import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { readRegistry, type SubgraphEntry } from '../schema/registry.js';
import { builtFile, GATEWAY_ENTRY, subgraphEntry } from '../scripts/serviceCommands.js';
import { deployedCommandProblems } from './support/buildOutputs.js';

// The Kubernetes manifests are checked against the code they deploy, so a renamed
// route, a moved port or a new subgraph fails here rather than in a cluster.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const K8S_DIR = join(ROOT, 'deploy/k8s');

interface Metadata {
  name: string;
  labels?: Record<string, string>;
}

interface KeyRef {
  name: string;
  key: string;
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: KeyRef; configMapKeyRef?: KeyRef };
}

interface Probe {
  httpGet?: { path: string; port: number | string };
}

interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: { cpu?: string; memory?: string }; limits?: { cpu?: string; memory?: string } };
}

interface Deployment {
  kind: 'Deployment';
  metadata: Metadata;
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: { containers: Container[] } };
  };
}

interface Service {
  kind: 'Service';
  metadata: Metadata;
  spec: { type?: string; externalName?: string; selector?: Record<string, string>; ports?: { name?: string; port: number; targetPort?: number | string }[] };
}

interface ConfigMap {
  kind: 'ConfigMap';
  metadata: Metadata;
  data: Record<string, string>;
}

interface HorizontalPodAutoscaler {
  kind: 'HorizontalPodAutoscaler';
  apiVersion: string;
  metadata: Metadata;
  spec: {
    scaleTargetRef: { apiVersion: string; kind: string; name: string };
    minReplicas: number;
    maxReplicas: number;
    metrics: { type: string; resource?: { name: string; target: { type: string; averageUtilization?: number } } }[];
  };
}

interface PodDisruptionBudget {
  kind: 'PodDisruptionBudget';
  metadata: Metadata;
  spec: { selector: { matchLabels: Record<string, string> }; minAvailable?: number | string; maxUnavailable?: number | string };
}

type Manifest = (Deployment | Service | ConfigMap | HorizontalPodAutoscaler | PodDisruptionBudget | { kind: 'Namespace'; metadata: Metadata }) & {
  apiVersion: string;
  /** The file under deploy/k8s it came from. */
  file: string;
};

interface Kustomization {
  resources?: string[];
  secretGenerator?: { name: string; envs?: string[]; literals?: string[] }[];
}

const PROBES = ['startupProbe', 'readinessProbe', 'livenessProbe'] as const;

function yamlFiles(): string[] {
  return readdirSync(K8S_DIR, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => relative(K8S_DIR, join(entry.parentPath, entry.name)))
    .sort();
}

function loadManifests(): Manifest[] {
  return yamlFiles()
    .filter((file) => file !== 'kustomization.yaml')
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(K8S_DIR, file), 'utf8')).flatMap((document) => {
        if (document.errors.length > 0) throw new Error(`deploy/k8s/${file}: ${document.errors.map((error) => error.message).join('; ')}`);
        const value = document.toJS() as Record<string, unknown> | null;
        if (value === null) return [];
        const metadata = value['metadata'] as Partial<Metadata> | undefined;
        if (typeof value['apiVersion'] !== 'string' || typeof value['kind'] !== 'string' || typeof metadata?.name !== 'string') {
          throw new Error(`deploy/k8s/${file}: every object needs apiVersion, kind and metadata.name`);
        }
        return [{ ...value, file } as Manifest];
      }),
    );
}

const manifests = loadManifests();
const kustomization = parse(readFileSync(join(K8S_DIR, 'kustomization.yaml'), 'utf8')) as Kustomization;
const registry = readRegistry();

function ofKind<K extends Manifest['kind']>(kind: K): Extract<Manifest, { kind: K }>[] {
  return manifests.filter((manifest): manifest is Extract<Manifest, { kind: K }> => manifest.kind === kind);
}

const deployments = ofKind('Deployment');
const services = ofKind('Service');
const configMaps = ofKind('ConfigMap');

function source(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

/** The plain HTTP routes a server registers, from its `'GET /path'` route keys. */
function getRoutes(path: string): Set<string> {
  return new Set([...source(path).matchAll(/['"`]GET (\/[^'"`\s]*)['"`]/g)].map((match) => match[1] ?? ''));
}

const GATEWAY_ROUTES = getRoutes('gateway/src/supergate.ts');
const SUBGRAPH_ROUTES = getRoutes('subgraphs/kit/startSubgraph.ts');

/** Whether a container of `deployment` runs the built form of the source entry point `entry`. */
function runs(deployment: Deployment, entry: string): boolean {
  return deployment.spec.template.spec.containers.some((container) => container.command?.includes(builtFile(entry)) === true);
}

function gatewayDeployment(): Deployment {
  const found = deployments.filter((deployment) => runs(deployment, GATEWAY_ENTRY));
  if (found.length !== 1) throw new Error(`expected one Deployment running ${builtFile(GATEWAY_ENTRY)}, found ${found.length}`);
  return found[0] as Deployment;
}

function subgraphDeployment(entry: SubgraphEntry): Deployment | undefined {
  return deployments.find((deployment) => runs(deployment, subgraphEntry(entry.name)));
}

function routesServedBy(deployment: Deployment): Set<string> {
  return runs(deployment, GATEWAY_ENTRY) ? GATEWAY_ROUTES : SUBGRAPH_ROUTES;
}

function matches(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  return selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels[key] === value);
}

function selectedDeployments(selector: Record<string, string> | undefined): Deployment[] {
  return deployments.filter((deployment) => matches(selector, deployment.spec.template.metadata.labels));
}

/** The container port a probe or Service names, by number or by port name; undefined when none fits. */
function containerPort(container: Container, port: number | string): number | undefined {
  const declared = container.ports ?? [];
  const found = typeof port === 'number' ? declared.find((p) => p.containerPort === port) : declared.find((p) => p.name === port);
  return found?.containerPort;
}

/** A container's environment as the pod sees it: ConfigMap entries, then its own `env`. */
function environment(container: Container): Map<string, { value?: string; secret?: KeyRef }> {
  const env = new Map<string, { value?: string; secret?: KeyRef }>();
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef !== undefined) {
      const configMap = configMaps.find((map) => map.metadata.name === from.configMapRef?.name);
      for (const [name, value] of Object.entries(configMap?.data ?? {})) env.set(name, { value });
    }
  }
  for (const variable of container.env ?? []) {
    const secret = variable.valueFrom?.secretKeyRef;
    const configMapRef = variable.valueFrom?.configMapKeyRef;
    const fromConfigMap = configMapRef && configMaps.find((map) => map.metadata.name === configMapRef.name)?.data[configMapRef.key];
    const value = variable.value ?? fromConfigMap;
    env.set(variable.name, { ...(value === undefined ? {} : { value }), ...(secret === undefined ? {} : { secret }) });
  }
  return env;
}

/** The keys of the generated Secret, from the committed example of its env file. */
function secretKeys(): Map<string, Set<string>> {
  const secrets = new Map<string, Set<string>>();
  for (const generator of kustomization.secretGenerator ?? []) {
    const keys = new Set<string>();
    for (const envFile of generator.envs ?? []) {
      for (const line of source(`deploy/k8s/${envFile}.example`).split('\n')) {
        const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=/.exec(line);
        if (match?.[1] !== undefined) keys.add(match[1]);
      }
    }
    for (const literal of generator.literals ?? []) keys.add(literal.split('=')[0] ?? '');
    secrets.set(generator.name, keys);
  }
  return secrets;
}

/** Matches `name` against a variable pattern such as `SUBGRAPH_<NAME>_URL`. */
function variablePattern(name: string): RegExp {
  return new RegExp(`^${name.replace(/<[A-Z]+>|\$\{[^}]*\}/g, '[A-Z][A-Z0-9]*')}$`);
}

/**
 * Environment variables a config module reads: its `env['X']` lookups, plus every
 * upper-case name with an underscore it mentions (in messages and docs) that is
 * not one of its own constants or imports.
 */
function variablesReadIn(path: string): RegExp[] {
  const text = source(path);
  const reads = [...text.matchAll(/env\[\s*['"`]([^'"`]+)['"`]\s*\]/g)].map((match) => match[1] ?? '');
  const identifiers = new Set([
    ...[...text.matchAll(/\b(?:const|let|function|class|enum)\s+([A-Za-z_$][\w$]*)/g)].map((match) => match[1]),
    ...[...text.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}/g)].flatMap((match) =>
      (match[1] ?? '').split(',').map((name) => name.replace(/^\s*type\s+/, '').trim()),
    ),
  ]);
  const mentioned = [...text.matchAll(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g)].map((match) => match[0]).filter((name) => !identifiers.has(name));
  return [...new Set([...reads, ...mentioned])].map(variablePattern);
}

/** Variables the top-level README's configuration table lists for `user` (or for all). */
function variablesInReadme(user: RegExp): RegExp[] {
  // The configuration table's columns: variable, config file key, used by, default, meaning.
  return [...source('README.md').matchAll(/^\|\s*`([A-Z<][A-Z0-9_<>]*)`\s*\|[^|]*\|([^|]*)\|/gm)]
    .filter((match) => user.test(match[2] ?? '') || /\ball\b/.test(match[2] ?? ''))
    .map((match) => variablePattern(match[1] ?? ''));
}

function subgraphUrlProblems(where: string, name: string, url: string | undefined): string[] {
  const entry = registry.find((candidate) => candidate.name === name);
  if (entry === undefined) return [`${where}: SUBGRAPH_${name.toUpperCase()}_URL names no registered subgraph`];
  if (url === undefined || !URL.canParse(url)) return [`${where}: SUBGRAPH_${name.toUpperCase()}_URL is ${JSON.stringify(url)}, not a URL`];
  const parsed = new URL(url);
  const service = services.find((candidate) => candidate.metadata.name === parsed.hostname);
  const servicePort = service?.spec.ports?.find((port) => port.port === Number(parsed.port || 80));
  const problems: string[] = [];
  if (service === undefined) problems.push(`${where}: ${url} names no Service`);
  else if (servicePort === undefined) problems.push(`${where}: ${url} uses a port the ${parsed.hostname} Service does not expose`);
  if (service !== undefined && selectedDeployments(service.spec.selector)[0] !== subgraphDeployment(entry)) {
    problems.push(`${where}: ${url} reaches Service ${parsed.hostname}, which does not select the ${name} Deployment`);
  }
  if (parsed.pathname !== new URL(entry.routingUrl).pathname) problems.push(`${where}: ${url} should end in ${new URL(entry.routingUrl).pathname}`);
  return problems;
}

describe('Kubernetes manifests (deploy/k8s)', () => {
  it('are all valid YAML objects with distinct names', () => {
    expect(manifests.length).toBeGreaterThan(0);
    const seen = new Map<string, string>();
    const duplicates: string[] = [];
    for (const manifest of manifests) {
      const key = `${manifest.kind}/${manifest.metadata.name}`;
      const earlier = seen.get(key);
      if (earlier !== undefined) duplicates.push(`${key} in ${earlier} and ${manifest.file}`);
      seen.set(key, manifest.file);
    }
    expect(duplicates).toEqual([]);
  });

  it('kustomization.yaml lists every manifest, and only files that exist', () => {
    const listed = [...(kustomization.resources ?? [])].sort();
    expect(listed).toEqual(yamlFiles().filter((file) => file !== 'kustomization.yaml'));
  });

  it('secrets come from the generated Secret, whose example lists every key a pod asks for', () => {
    const secrets = secretKeys();
    expect([...secrets.keys()]).not.toEqual([]);
    expect(source('deploy/k8s/.gitignore').split('\n')).toEqual(
      expect.arrayContaining((kustomization.secretGenerator ?? []).flatMap((generator) => generator.envs ?? [])),
    );
    const problems = deployments.flatMap((deployment) =>
      deployment.spec.template.spec.containers.flatMap((container) => [
        ...(container.env ?? []).flatMap((variable) => {
          const ref = variable.valueFrom?.secretKeyRef;
          if (ref === undefined) return [];
          if (!secrets.has(ref.name))
            return [`${deployment.metadata.name}: ${variable.name} reads Secret ${ref.name}, which kustomization.yaml does not generate`];
          return secrets.get(ref.name)?.has(ref.key) === true
            ? []
            : [`${deployment.metadata.name}: ${variable.name} reads key ${ref.key}, missing from Secret ${ref.name}`];
        }),
        ...(container.envFrom ?? []).flatMap((from) =>
          from.configMapRef !== undefined && !configMaps.some((map) => map.metadata.name === from.configMapRef?.name)
            ? [`${deployment.metadata.name}: envFrom names ConfigMap ${from.configMapRef.name}, which is not defined`]
            : [],
        ),
        // A secret in a ConfigMap or a literal would be readable by anyone who can read the Deployment.
        ...['JWT_SECRET', 'GATEWAY_SECRET', 'GATEWAY_SIGNING_KEY', 'SERVICE_SIGNING_KEY', 'DATABASE_URL'].flatMap((name) => {
          const variable = environment(container).get(name);
          return variable !== undefined && variable.secret === undefined
            ? [`${deployment.metadata.name}: ${name} is set in plain text, not from the Secret`]
            : [];
        }),
      ]),
    );
    expect(problems).toEqual([]);
  });

  it('every registered subgraph has a Deployment running it and a Service on its registry port', () => {
    const problems = registry.flatMap((entry) => {
      const deployment = subgraphDeployment(entry);
      if (deployment === undefined) return [`${entry.name}: no Deployment runs ${builtFile(subgraphEntry(entry.name))}`];
      const service = services.find((candidate) => candidate.metadata.name === entry.name);
      if (service === undefined) return [`${entry.name}: no Service named ${entry.name} (the gateway and peers reach it by that name)`];
      const problems: string[] = [];
      if (!selectedDeployments(service.spec.selector).includes(deployment))
        problems.push(`${entry.name}: the Service does not select Deployment ${deployment.metadata.name}`);
      if (!service.spec.ports?.some((port) => port.port === entry.port))
        problems.push(`${entry.name}: the Service does not expose the registry port ${entry.port}`);
      return problems;
    });
    expect(problems).toEqual([]);
  });

  it('every container runs a file the build writes, with source maps and without tsx', () => {
    const entries = new Map<Deployment, string>([[gatewayDeployment(), GATEWAY_ENTRY]]);
    for (const entry of registry) {
      const deployment = subgraphDeployment(entry);
      if (deployment !== undefined) entries.set(deployment, subgraphEntry(entry.name));
    }
    const problems = deployments.flatMap((deployment) =>
      deployment.spec.template.spec.containers.flatMap((container) => {
        const where = `${deployment.metadata.name}/${container.name}`;
        const entry = entries.get(deployment);
        return entry === undefined
          ? [`${where}: runs neither the gateway nor a registered subgraph`]
          : deployedCommandProblems(where, container.command, entry);
      }),
    );
    expect(problems).toEqual([]);
  });

  it('probes ask for routes the service really serves, on its container port', () => {
    // Guards the route-key scan itself: an empty set would make every probe look wrong.
    expect([...GATEWAY_ROUTES]).toEqual(expect.arrayContaining(['/health', '/ready']));
    expect([...SUBGRAPH_ROUTES]).toContain('/health');
    const problems = deployments.flatMap((deployment) =>
      deployment.spec.template.spec.containers.flatMap((container) => {
        const where = `${deployment.metadata.name}/${container.name}`;
        const missing = (['readinessProbe', 'livenessProbe'] as const)
          .filter((probe) => container[probe]?.httpGet === undefined)
          .map((probe) => `${where}: no HTTP ${probe}`);
        return [
          ...missing,
          ...PROBES.flatMap((probe) => {
            const httpGet = container[probe]?.httpGet;
            if (httpGet === undefined) return [];
            const problems: string[] = [];
            if (!routesServedBy(deployment).has(httpGet.path)) problems.push(`${where}: ${probe} asks for ${httpGet.path}, which the code does not serve`);
            if (containerPort(container, httpGet.port) === undefined) problems.push(`${where}: ${probe} port ${httpGet.port} is not a container port`);
            return problems;
          }),
        ];
      }),
    );
    expect(problems).toEqual([]);
  });

  it('the gateway is ready on /ready and alive on /health', () => {
    const [container] = gatewayDeployment().spec.template.spec.containers;
    expect({ readiness: container?.readinessProbe?.httpGet?.path, liveness: container?.livenessProbe?.httpGet?.path }).toEqual({
      readiness: '/ready',
      liveness: '/health',
    });
  });

  it('Prometheus scrapes the gateway pods on the metrics port, which no Service exposes', () => {
    const deployment = gatewayDeployment();
    const [container] = deployment.spec.template.spec.containers;
    const env = environment(container!);
    const annotations = (deployment.spec.template.metadata as { annotations?: Record<string, string> }).annotations ?? {};
    const metricsPort = env.get('METRICS_PORT')?.value;
    expect({
      scrape: annotations['prometheus.io/scrape'],
      port: annotations['prometheus.io/port'],
      path: annotations['prometheus.io/path'],
      host: env.get('METRICS_HOST')?.value,
    }).toEqual({
      scrape: 'true',
      port: metricsPort,
      path: '/metrics',
      host: '0.0.0.0',
    });
    expect(containerPort(container!, Number(metricsPort))).toBe(Number(metricsPort));
    expect(metricsPort).not.toBe(env.get('PORT')?.value);
    const exposed = services
      .filter((service) => selectedDeployments(service.spec.selector).includes(deployment))
      .flatMap((service) => (service.spec.ports ?? []).map((port) => containerPort(container!, port.targetPort ?? port.port)));
    expect(exposed).not.toContain(Number(metricsPort));
  });

  it('every process listens on the port its container declares', () => {
    const problems = deployments.flatMap((deployment) =>
      deployment.spec.template.spec.containers.flatMap((container) => {
        const port = environment(container).get('PORT')?.value;
        const declared = (container.ports ?? []).map((p) => p.containerPort);
        return port !== undefined && declared.includes(Number(port))
          ? []
          : [`${deployment.metadata.name}/${container.name}: PORT is ${port ?? 'unset'}, container ports are ${declared.join(', ') || 'none'}`];
      }),
    );
    expect(problems).toEqual([]);
  });

  it('every Service selects exactly one Deployment and reaches one of its container ports', () => {
    const problems = services
      .filter((service) => service.spec.type !== 'ExternalName')
      .flatMap((service) => {
        const selected = selectedDeployments(service.spec.selector);
        if (selected.length !== 1) return [`Service ${service.metadata.name}: its selector matches ${selected.length} Deployments' pods`];
        const [deployment] = selected as [Deployment];
        return (service.spec.ports ?? []).flatMap((port) => {
          const target = port.targetPort ?? port.port;
          return deployment.spec.template.spec.containers.some((container) => containerPort(container, target) !== undefined)
            ? []
            : [`Service ${service.metadata.name}: targetPort ${target} is not a container port of Deployment ${deployment.metadata.name}`];
        });
      });
    expect(problems).toEqual([]);
  });

  it('every Deployment selects its own pods, and they run the project image with resource limits', () => {
    const problems = deployments.flatMap((deployment) => [
      ...(matches(deployment.spec.selector.matchLabels, deployment.spec.template.metadata.labels)
        ? []
        : [`${deployment.metadata.name}: selector does not match its pod labels`]),
      ...deployment.spec.template.spec.containers.flatMap((container) => [
        ...(container.image === 'supergate' ? [] : [`${deployment.metadata.name}: image ${container.image} (kustomization.yaml sets the tag of "supergate")`]),
        ...(container.resources?.requests?.cpu && container.resources.requests.memory && container.resources.limits?.memory
          ? []
          : [`${deployment.metadata.name}: needs cpu and memory requests and a memory limit`]),
      ]),
    ]);
    expect(problems).toEqual([]);
  });

  it('the autoscaler scales the gateway Deployment on CPU, from 2 to 10 replicas', () => {
    const gateway = gatewayDeployment();
    const autoscalers = ofKind('HorizontalPodAutoscaler');
    expect(
      autoscalers.map((hpa) => ({
        apiVersion: hpa.apiVersion,
        target: hpa.spec.scaleTargetRef,
        min: hpa.spec.minReplicas,
        max: hpa.spec.maxReplicas,
        metrics: hpa.spec.metrics,
      })),
    ).toEqual([
      {
        apiVersion: 'autoscaling/v2',
        target: { apiVersion: 'apps/v1', kind: 'Deployment', name: gateway.metadata.name },
        min: 2,
        max: 10,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
      },
    ]);
    // Utilization is measured against the request; a fixed replica count would fight the autoscaler on every apply.
    expect(gateway.spec.template.spec.containers.every((container) => container.resources?.requests?.cpu !== undefined)).toBe(true);
    expect(gateway.spec.replicas).toBeUndefined();
  });

  it('the disruption budget covers the gateway pods and still lets a node drain', () => {
    const budgets = ofKind('PodDisruptionBudget').filter((pdb) => matches(pdb.spec.selector.matchLabels, gatewayDeployment().spec.template.metadata.labels));
    expect(budgets).toHaveLength(1);
    const spec = budgets[0]?.spec;
    const minReplicas = ofKind('HorizontalPodAutoscaler')[0]?.spec.minReplicas ?? 1;
    // A budget that never allows an eviction blocks every node drain and cluster upgrade.
    const allowsOne = spec?.maxUnavailable !== undefined ? Number(spec.maxUnavailable) >= 1 : Number(spec?.minAvailable) < minReplicas;
    expect(allowsOne).toBe(true);
  });

  it('the gateway is given only variables it reads, and a URL for every subgraph and Redis', () => {
    const [container] = gatewayDeployment().spec.template.spec.containers;
    const env = environment(container!);
    const allowed = [
      ...variablesReadIn('gateway/src/config.ts'),
      ...variablesReadIn('lib/gatewayToken.ts'),
      ...variablesInReadme(/gateway/),
      /^SUBGRAPH_[A-Z][A-Z0-9]*_URL$/,
      /^REDIS_URL$/,
    ];
    const unread = [...env.keys()].filter((name) => !allowed.some((pattern) => pattern.test(name)));
    expect(unread).toEqual([]);

    const urls = [...env.entries()].flatMap(([name, variable]) => {
      const match = /^SUBGRAPH_([A-Z][A-Z0-9]*)_URL$/.exec(name);
      return match?.[1] === undefined ? [] : [[match[1].toLowerCase(), variable.value] as const];
    });
    expect(urls.map(([name]) => name).sort()).toEqual(registry.map((entry) => entry.name).sort());
    expect(urls.flatMap(([name, url]) => subgraphUrlProblems('gateway', name, url))).toEqual([]);

    for (const name of ['JWT_SECRET', 'GATEWAY_SIGNING_KEY', 'REDIS_URL']) expect(env.has(name), `gateway environment has ${name}`).toBe(true);
    const redis = new URL(env.get('REDIS_URL')?.value ?? 'redis://unset');
    expect(
      services.map((service) => service.metadata.name),
      `REDIS_URL host ${redis.hostname} is a Service`,
    ).toContain(redis.hostname);
  });

  it('subgraphs are given only variables they read, and the peers they call', () => {
    const allowed = [...variablesReadIn('subgraphs/kit/config.ts'), ...variablesInReadme(/subgraph/)];
    const problems = registry.flatMap((entry) => {
      const container = subgraphDeployment(entry)?.spec.template.spec.containers[0];
      if (container === undefined) return [];
      const env = environment(container);
      const peerVariables = new Map(entry.peers.map((peer) => [`SUBGRAPH_${peer.toUpperCase()}_URL`, peer]));
      return [
        ...[...env.keys()]
          .filter((name) => !peerVariables.has(name) && !allowed.some((pattern) => pattern.test(name)))
          .map((name) => `${entry.name}: sets ${name}, which it does not read`),
        // readSubgraphConfig refuses to start without a URL for each peer.
        ...[...peerVariables].flatMap(([variable, peer]) => subgraphUrlProblems(entry.name, peer, env.get(variable)?.value)),
        ...['DATABASE_URL'].filter((name) => !env.has(name)).map((name) => `${entry.name}: ${name} is not set`),
      ];
    });
    expect(problems).toEqual([]);
  });

  it("subgraphs verify the gateway with the key set it serves, and each caller's peers hold the caller's public key", () => {
    const gatewayService = services.find((service) => selectedDeployments(service.spec.selector).includes(gatewayDeployment()));
    const problems = registry.flatMap((entry) => {
      const container = subgraphDeployment(entry)?.spec.template.spec.containers[0];
      if (container === undefined) return [];
      const env = environment(container);
      const jwksUrl = env.get('GATEWAY_JWKS_URL')?.value;
      const problems: string[] = [];
      // Production refuses to start without one of them.
      if (jwksUrl === undefined && !env.has('GATEWAY_PUBLIC_KEY')) problems.push(`${entry.name}: neither GATEWAY_JWKS_URL nor GATEWAY_PUBLIC_KEY is set`);
      if (jwksUrl !== undefined) {
        const url = new URL(jwksUrl);
        if (url.hostname !== gatewayService?.metadata.name) problems.push(`${entry.name}: GATEWAY_JWKS_URL host ${url.hostname} is not the gateway's Service`);
        if (!gatewayService?.spec.ports?.some((port) => String(port.port) === url.port))
          problems.push(`${entry.name}: GATEWAY_JWKS_URL port ${url.port} is not a port of the gateway's Service`);
        if (!GATEWAY_ROUTES.has(url.pathname)) problems.push(`${entry.name}: GATEWAY_JWKS_URL asks for ${url.pathname}, which the gateway does not serve`);
      }
      if (entry.peers.length > 0 && !env.has('SERVICE_SIGNING_KEY'))
        problems.push(`${entry.name}: calls ${entry.peers.join(', ')} but has no SERVICE_SIGNING_KEY`);
      for (const caller of registry.filter((candidate) => candidate.peers.includes(entry.name))) {
        if (!env.has(`SERVICE_${caller.name.toUpperCase()}_PUBLIC_KEY`))
          problems.push(`${entry.name}: is called by ${caller.name} but has no SERVICE_${caller.name.toUpperCase()}_PUBLIC_KEY`);
      }
      return problems;
    });
    expect(problems).toEqual([]);
    expect([...GATEWAY_ROUTES]).toContain('/.well-known/jwks.json');
  });

  it('DATABASE_URL in the example Secret points at a Service defined here', () => {
    const line = source('deploy/k8s/secrets.env.example')
      .split('\n')
      .find((text) => text.startsWith('DATABASE_URL='));
    const url = new URL(line?.slice('DATABASE_URL='.length) ?? 'postgres://unset');
    expect(url.protocol).toBe('postgres:');
    expect(services.map((service) => service.metadata.name)).toContain(url.hostname);
  });
});
