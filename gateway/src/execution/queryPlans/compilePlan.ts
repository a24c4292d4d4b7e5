import type { GraphQLDataSource } from '@apollo/gateway';
// The package's root exports the data-source types but not this enum's value.
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types.js';
import { assert, ERRORS, errorCodeDef, type VariableDefinitions } from '@apollo/federation-internals';
import { evaluateCondition, type FetchNode, type PlanNode, type QueryPlan, type ResponsePath } from '@apollo/query-planner';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import type { GatewayContext } from '../../context.js';
import type { GatewayRequestContext } from '../executorTypes.js';
import { mergeInto } from './mergeInto.js';
import { compileRepresentationPicker, type RepresentationPicker } from './representations.js';
import type { ResponseObject } from './shapeResponse.js';
import { UnsupportedPlan } from './UnsupportedPlan.js';

/** What one execution of a plan shares. */
export interface PlanRun {
  readonly requestContext: GatewayRequestContext;
  readonly dataSources: ReadonlyMap<string, GraphQLDataSource<GatewayContext>>;
  readonly variableDefinitions: VariableDefinitions;
  /** Fetch failures, in the order they happened, as @apollo/gateway reports them. */
  readonly errors: Error[];
}

/** Where a plan node works in the answer so far. */
interface Cursor {
  readonly path: ResponsePath;
  readonly data: unknown;
  readonly fullResult: ResponseObject;
}

type RunNode = (run: PlanRun, cursor: Cursor | undefined) => Promise<void>;

/** Runs a query plan into `data`, the merged answer; fetch failures land in `run.errors`. */
export type RunPlan = (run: PlanRun, data: ResponseObject) => Promise<void>;

/**
 * Compiles a query plan once into nested functions that run it: Sequence,
 * Parallel, Flatten, Condition and Fetch nodes, with each fetch's
 * representation picker built ahead. Anything else, and any data rewrite,
 * throws `UnsupportedPlan` so the operation runs on @apollo/gateway's executor.
 */
export function compilePlan(plan: QueryPlan, supergraphSchema: GraphQLSchema): RunPlan {
  const root = plan.node;
  if (root === undefined) return async () => {};
  if (root.kind === 'Subscription') throw new UnsupportedPlan('subscription');
  return runFromRoot(compileNode(root, supergraphSchema));
}

/** A subscription's plan, compiled: the fetch that subscribes to the owning subgraph, and what runs on each of its events. */
export interface CompiledSubscriptionPlan {
  readonly primary: FetchNode;
  /** Joins the fields other subgraphs own into one event's data; nothing to run when the owner answers it all. */
  readonly rest: RunPlan | undefined;
}

/** Compiles a subscription's plan (its primary fetch and the rest); the rest may use any node `compilePlan` runs. */
export function compileSubscriptionPlan(plan: QueryPlan, supergraphSchema: GraphQLSchema): CompiledSubscriptionPlan {
  const root = plan.node;
  if (root?.kind !== 'Subscription') throw new Error('not the plan of a subscription');
  const { primary, rest } = root;
  if ((primary.inputRewrites?.length ?? 0) > 0 || (primary.outputRewrites?.length ?? 0) > 0) throw new UnsupportedPlan('data_rewrites');
  if ((primary.contextRewrites?.length ?? 0) > 0) throw new UnsupportedPlan('context_rewrites');
  return { primary, rest: rest === undefined ? undefined : runFromRoot(compileNode(rest, supergraphSchema)) };
}

function runFromRoot(runRoot: RunNode): RunPlan {
  return (run, data) => runRoot(run, { path: [], data, fullResult: data });
}

function compileNode(node: PlanNode, schema: GraphQLSchema): RunNode {
  switch (node.kind) {
    case 'Sequence': {
      const children = node.nodes.map((child) => compileNode(child, schema));
      return async (run, cursor) => {
        if (cursor === undefined) return;
        for (const child of children) await child(run, cursor);
      };
    }
    case 'Parallel': {
      const children = node.nodes.map((child) => compileNode(child, schema));
      return async (run, cursor) => {
        if (cursor === undefined) return;
        await Promise.all(children.map((child) => child(run, cursor)));
      };
    }
    case 'Flatten': {
      const child = compileNode(node.node, schema);
      const path = node.path;
      return (run, cursor) => (cursor === undefined ? Promise.resolve() : child(run, moveIntoCursor(cursor, path)));
    }
    case 'Condition': {
      const ifClause = node.ifClause === undefined ? undefined : compileNode(node.ifClause, schema);
      const elseClause = node.elseClause === undefined ? undefined : compileNode(node.elseClause, schema);
      return async (run, cursor) => {
        if (cursor === undefined) return;
        const branch = evaluateCondition(node, run.variableDefinitions, run.requestContext.request.variables) ? ifClause : elseClause;
        if (branch !== undefined) await branch(run, cursor);
      };
    }
    case 'Fetch': {
      const fetch = compileFetch(node, schema);
      return async (run, cursor) => {
        if (cursor === undefined) return;
        try {
          await fetch(run, cursor);
        } catch (error) {
          run.errors.push(error as Error);
        }
      };
    }
    case 'Defer':
      throw new UnsupportedPlan('defer');
    default:
      throw new UnsupportedPlan('unknown_node');
  }
}

function compileFetch(fetch: FetchNode, schema: GraphQLSchema): (run: PlanRun, cursor: Cursor) => Promise<void> {
  if ((fetch.inputRewrites?.length ?? 0) > 0 || (fetch.outputRewrites?.length ?? 0) > 0) throw new UnsupportedPlan('data_rewrites');
  if ((fetch.contextRewrites?.length ?? 0) > 0) throw new UnsupportedPlan('context_rewrites');
  const pickRepresentation: RepresentationPicker | undefined = fetch.requires === undefined ? undefined : compileRepresentationPicker(schema, fetch.requires);
  const variableUsages = fetch.variableUsages ?? [];
  return async (run, cursor) => {
    const service = run.dataSources.get(fetch.serviceName);
    if (service === undefined) throw new Error(`Couldn't find service with name "${fetch.serviceName}"`);
    const entities = Array.isArray(cursor.data) ? cursor.data.filter((entity: unknown) => entity !== null && entity !== undefined) : [cursor.data];
    if (entities.length < 1) return;
    const variables = pickVariables(variableUsages, run.requestContext.request.variables);
    if (pickRepresentation === undefined) {
      const received = await send(run, service, fetch, cursor, variables);
      for (const entity of entities) mergeInto(entity as ResponseObject, received);
      return;
    }
    const representations: ResponseObject[] = [];
    const representationToEntity: number[] = [];
    for (let index = 0; index < entities.length; index += 1) {
      const representation = pickRepresentation(entities[index]);
      if (representation?.['__typename']) {
        representations.push(representation);
        representationToEntity.push(index);
      }
    }
    if (representations.length < 1) return;
    if ('representations' in variables) throw new Error(`Variables cannot contain key "representations"`);
    const received = await send(run, service, fetch, cursor, { ...variables, representations });
    if (!received) return;
    const receivedEntities = received['_entities'];
    if (!(receivedEntities && Array.isArray(receivedEntities))) throw new Error(`Expected "data._entities" in response to be an array`);
    if (receivedEntities.length !== representations.length) throw new Error(`Expected "data._entities" to contain ${representations.length} elements`);
    for (const [index, entityIndex] of representationToEntity.entries()) {
      const receivedEntity = receivedEntities[index] as ResponseObject | null | undefined;
      const existingEntity = entities[entityIndex] as ResponseObject;
      if (receivedEntity && !receivedEntity['__typename']) receivedEntity['__typename'] = existingEntity['__typename'];
      mergeInto(existingEntity, receivedEntity);
    }
  };
}

/** The variables a fetch uses, as the client sent them. */
export function pickVariables(usages: readonly string[] | undefined, provided: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
  const variables = Object.create(null) as Record<string, unknown>;
  for (const name of usages ?? []) {
    if (provided && Object.prototype.hasOwnProperty.call(provided, name) && provided[name] !== undefined) variables[name] = provided[name];
  }
  return variables;
}

/** Sends one fetch through the subgraph's data source (retries, breaker, identity, deduplication, cache hints all apply there). */
async function send(
  run: PlanRun,
  service: GraphQLDataSource<GatewayContext>,
  fetch: FetchNode,
  cursor: Cursor,
  variables: Record<string, unknown>,
): Promise<ResponseObject | null | undefined> {
  const { requestContext } = run;
  const response = await service.process({
    kind: GraphQLDataSourceRequestKind.INCOMING_OPERATION,
    request: { query: fetch.operation, variables, ...(fetch.operationName === undefined ? {} : { operationName: fetch.operationName }) },
    // Apollo's executor hands data sources the same request context, typed for any context.
    incomingRequestContext: requestContext as Parameters<GraphQLDataSource<GatewayContext>['process']>[0] extends { incomingRequestContext: infer R }
      ? R
      : never,
    context: requestContext.context as GatewayContext,
    ...(fetch.operationDocumentNode === undefined ? {} : { document: fetch.operationDocumentNode }),
    pathInIncomingRequest: cursor.path,
  });
  if (response.errors) {
    const errorPath = errorPathIn(fetch, cursor);
    run.errors.push(...response.errors.map((error) => downstreamServiceError(error, fetch.serviceName, errorPath)));
    if (!response.extensions?.['ftv1']) {
      // Apollo's usage reporting reads where subgraphs without federated traces failed.
      const metrics = requestContext.metrics as { nonFtv1ErrorPaths?: { subgraph: string; path: readonly (string | number)[] | undefined }[] };
      const errorPaths = response.errors.map((error) => ({ subgraph: fetch.serviceName, path: error.path }));
      if (metrics.nonFtv1ErrorPaths) metrics.nonFtv1ErrorPaths.push(...errorPaths);
      else metrics.nonFtv1ErrorPaths = errorPaths;
    }
  }
  return response.data as ResponseObject | null | undefined;
}

/** Where a subgraph's error lands in the client's answer: for entities, the path of the entity it names. */
function errorPathIn(fetch: FetchNode, cursor: Cursor): (errorPath: readonly (string | number)[] | undefined) => (string | number)[] | undefined {
  let hydratedPaths: (string | number)[][] | undefined;
  return (errorPath) => {
    if (fetch.requires && typeof errorPath?.[1] === 'number') {
      if (hydratedPaths === undefined) {
        hydratedPaths = [];
        generateHydratedPaths([], cursor.path, cursor.fullResult, hydratedPaths);
      }
      return [...(hydratedPaths[errorPath[1]] ?? []), ...errorPath.slice(2)];
    }
    return errorPath ? [...cursor.path, ...errorPath.slice()] : undefined;
  };
}

function generateHydratedPaths(parent: (string | number)[], path: ResponsePath, data: unknown, result: (string | number)[][]): void {
  const head = path[0];
  if (data === null || data === undefined) return;
  if (head === undefined) {
    result.push(parent.slice());
  } else if (head === '@') {
    assert(Array.isArray(data), 'expected array when encountering `@`');
    for (const [index, value] of (data as unknown[]).entries()) {
      parent.push(index);
      generateHydratedPaths(parent, path.slice(1), value, result);
      parent.pop();
    }
  } else if (typeof head === 'string') {
    if (Array.isArray(data)) {
      for (const [index, value] of (data as unknown[]).entries()) {
        parent.push(index);
        generateHydratedPaths(parent, path, value, result);
        parent.pop();
      }
    } else if (Object.prototype.hasOwnProperty.call(data, head)) {
      parent.push(head);
      generateHydratedPaths(parent, path.slice(1), (data as ResponseObject)[head], result);
      parent.pop();
    }
  } else {
    assert(false, `unknown path part "${head}"`);
  }
}

function moveIntoCursor(cursor: Cursor, pathInCursor: ResponsePath): Cursor | undefined {
  const data = flattenResultsAtPath(cursor.data, pathInCursor, 0);
  return data ? { path: cursor.path.concat(pathInCursor), data, fullResult: cursor.fullResult } : undefined;
}

function flattenResultsAtPath(value: unknown, path: ResponsePath, from: number): unknown {
  if (from === path.length) return value;
  if (value === undefined || value === null) return value;
  const current = path[from];
  if (current === '@') return (value as unknown[]).flatMap((element) => flattenResultsAtPath(element, path, from + 1));
  assert(typeof current === 'string', () => `Unexpected ${typeof current} found in path`);
  assert(!Array.isArray(value), () => `Unexpected array in result for path element ${current}`);
  const object = value as ResponseObject;
  return flattenResultsAtPath(Object.prototype.hasOwnProperty.call(object, current) ? object[current] : undefined, path, from + 1);
}

/** A subgraph's error as @apollo/gateway reports it: its message and extensions, the service's name, and a path in the client's answer. */
function downstreamServiceError(
  originalError: { message?: string; path?: readonly (string | number)[]; extensions?: Record<string, unknown> },
  serviceName: string,
  errorPath: (path: readonly (string | number)[] | undefined) => (string | number)[] | undefined,
): GraphQLError {
  // An empty message gets the fallback too, as in @apollo/gateway.
  const message =
    originalError.message === undefined || originalError.message === '' ? `Error while fetching subquery from service "${serviceName}"` : originalError.message;
  const { extensions } = originalError;
  const path = errorPath(originalError.path);
  const options = { originalError: originalError as Error, ...(path === undefined ? {} : { path }), extensions: { ...extensions, serviceName } };
  const codeDef = errorCodeDef({ message, ...(extensions === undefined ? {} : { extensions }) });
  if (!codeDef && extensions?.['code']) return new GraphQLError(message, options);
  return (codeDef ?? ERRORS.DOWNSTREAM_SERVICE_ERROR).err(message, options);
}
