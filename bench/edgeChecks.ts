import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { ApolloGateway } from '@apollo/gateway';
import { Kind, parse, validate, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { authorizeOperation } from '../gateway/src/authorization/authorizeOperation.js';
import { readGatewayConfig } from '../gateway/src/config.js';
import { enforceQueryLimits } from '../gateway/src/limits/enforceQueryLimits.js';
import { measureOperation } from '../gateway/src/limits/measureOperation.js';
import { rateLimitedFields } from '../gateway/src/rateLimits/rateLimitedFields.js';
import { readSupergraph, type Supergraph } from '../gateway/src/supergraph/readSupergraph.js';
import { doublingChain } from '../test/support/fragmentChains.js';
import { readGatewaysBenchmark } from './gatewaysBenchmark/dataSet.js';

export interface EdgeCheckRow {
  readonly operation: string;
  readonly bytes: number;
  readonly selections: number;
  readonly cost: number;
  readonly outcome: string;
  /** Microseconds for the edge checks, nothing remembered between runs. */
  readonly checksMicros: number;
  /** Microseconds for graphql-js `validate` of the same document, which every gateway runs: linear, so the ratio shows linearity. */
  readonly validateMicros: number;
}

interface Graph {
  readonly schema: GraphQLSchema;
  readonly supergraph: Supergraph;
}

/**
 * Times the edge checks (limits, authorization, rate-limited fields) in
 * process on large operations, against graphql-js validation of the same
 * document. A walk that expanded fragments per path would show here as a
 * ratio that grows with the document; linear walks keep it flat.
 */
export async function measureEdgeChecks(shopSupergraphPath: URL): Promise<EdgeCheckRow[]> {
  const benchmark = readGatewaysBenchmark();
  // The deep query's estimated cost is about 100,000, over the 50,000 default; every other limit stays at its default.
  const limits = readGatewayConfig({ QUERY_MAX_COST: '1000000', RATE_LIMIT_COST_PER_WINDOW: '1000000' }).queryLimits;
  const [benchGraph, shopGraph] = await Promise.all([loadGraph(benchmark.supergraph), loadGraph(readFileSync(shopSupergraphPath, 'utf8'))]);
  const cases: [string, Graph, string][] = [
    ['TestQuery (public gateway benchmark)', benchGraph, benchmark.query],
    ['shop: fragment doubling chain, 10 steps', shopGraph, doublingChain(10, 'username orders { id }', { on: 'User', root: 'user(id: "u1") { ...F0 }' })],
    ['shop: fragment doubling chain, 20 steps', shopGraph, doublingChain(20, 'username orders { id }', { on: 'User', root: 'user(id: "u1") { ...F0 }' })],
  ];
  return cases.map(([name, graph, query]) => timeChecks(name, graph, query, limits));
}

function timeChecks(name: string, { schema, supergraph }: Graph, query: string, limits: ReturnType<typeof readGatewayConfig>['queryLimits']): EdgeCheckRow {
  const document = parse(query);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operation === undefined) throw new Error(`${name} has no operation`);
  const options = { defaultListSize: limits.defaultListSize, costDirectives: supergraph.costDirectives };
  const check = (): string => {
    const measure = measureOperation(schema, document, operation, {}, options);
    try {
      enforceQueryLimits(measure, limits);
    } catch (error) {
      return `refused: ${error instanceof Error ? error.message : String(error)}`;
    }
    const authorized = authorizeOperation(schema, document, undefined, null, supergraph.security);
    if (authorized.document !== null) rateLimitedFields(schema, authorized.document, undefined, supergraph.fieldRateLimits);
    return `accepted, ${authorized.errors.length} field(s) denied to an anonymous caller`;
  };
  const measure = measureOperation(schema, document, operation, {}, options);
  return {
    operation: name,
    bytes: Buffer.byteLength(query),
    selections: measure.selections,
    cost: measure.cost,
    outcome: check(),
    checksMicros: microsPerRun(check),
    validateMicros: microsPerRun(() => validate(schema, document)),
  };
}

function microsPerRun(run: () => unknown): number {
  for (let i = 0; i < 50; i += 1) run();
  let runs = 0;
  const started = performance.now();
  while (performance.now() - started < 300) {
    run();
    runs += 1;
  }
  return ((performance.now() - started) * 1000) / runs;
}

async function loadGraph(supergraphSdl: string): Promise<Graph> {
  const supergraph = readSupergraph(supergraphSdl);
  const gateway = new ApolloGateway({ supergraphSdl: supergraph.security.gatewaySupergraphSdl });
  try {
    return { schema: (await gateway.load()).schema, supergraph };
  } finally {
    await gateway.stop();
  }
}

export function formatEdgeChecks(rows: readonly EdgeCheckRow[]): string {
  const lines = [
    '| operation | bytes | selections expanded | estimated cost | edge checks µs | validate µs | checks / validate | outcome |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
    ...rows.map(
      (row) =>
        `| ${row.operation} | ${row.bytes} | ${row.selections.toLocaleString('en-US')} | ${row.cost.toLocaleString('en-US')} | ${row.checksMicros.toFixed(1)} | ${row.validateMicros.toFixed(1)} | ${(row.checksMicros / row.validateMicros).toFixed(2)}x | ${row.outcome} |`,
    ),
  ];
  return lines.join('\n');
}
