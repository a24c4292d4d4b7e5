import { createHash } from 'node:crypto';
import type { GraphQLDataSource } from '@apollo/gateway';
import { operationFromDocument, Supergraph, type Operation, type Schema, type VariableDefinitions } from '@apollo/federation-internals';
import { QueryPlanner, type QueryPlan } from '@apollo/query-planner';
import { getVariableValues, GraphQLError, type GraphQLSchema } from 'graphql';
import type { GatewayContext } from '../../context.js';
import type { Execute, GatewayExecutionResult, GatewayRequestContext } from '../executorTypes.js';
import { compilePlan, compileSubscriptionPlan, pickVariables, type CompiledSubscriptionPlan, type RunPlan } from './compilePlan.js';
import { compileResponseShaper, type ResponseObject, type ResponseShaper } from './shapeResponse.js';
import { UnsupportedPlan, type FallbackReason } from './UnsupportedPlan.js';

/** Where the gateway keeps query plans: the same store @apollo/gateway plans into, so both executors share it. */
export interface QueryPlanStore {
  get(key: string): Promise<QueryPlan | undefined>;
  set(key: string, plan: QueryPlan): Promise<void>;
}

export interface FastQueryPlanExecutorOptions {
  readonly queryPlans: QueryPlanStore;
  /** The data source of each subgraph, by name: the ones @apollo/gateway built with `buildService`. */
  readonly dataSources: ReadonlyMap<string, GraphQLDataSource<GatewayContext>>;
  /** Told each time an operation is left to @apollo/gateway's executor, and why. */
  readonly onFallback: (reason: FallbackReason) => void;
}

/** A plan compiled for the fast executor, with the response shaper of its operation. */
interface CompiledPlan {
  readonly run: RunPlan;
  readonly shape: ResponseShaper;
  readonly variableDefinitions: VariableDefinitions;
}

interface LoadedSupergraph {
  readonly planner: QueryPlanner;
  readonly apiSchema: Schema;
  readonly supergraphSchema: GraphQLSchema;
}

/**
 * Runs query plans in place of @apollo/gateway's `executeQueryPlan`. Plans come
 * from the same planner and store; each plan is compiled once (fetches,
 * representation pickers, the response shaper), and every fetch goes through
 * the gateway's own data sources. A plan shape it does not run goes, whole,
 * to @apollo/gateway's executor, and `onFallback` is told why.
 */
export class FastQueryPlanExecutor {
  private supergraph: LoadedSupergraph | undefined;
  /** Keyed by the plan object: an entry lives exactly as long as its plan stays in the plan store. */
  private readonly compiled = new WeakMap<QueryPlan, CompiledPlan | UnsupportedPlan>();
  private readonly compiledSubscriptions = new WeakMap<QueryPlan, CompiledSubscriptionPlan & Omit<CompiledPlan, 'run'>>();

  constructor(private readonly options: FastQueryPlanExecutorOptions) {}

  /** Plans from this supergraph from the next operation on (@apollo/gateway clears the plan store on each update). */
  useSupergraph(supergraphSdl: string): void {
    const supergraph = Supergraph.build(supergraphSdl);
    this.supergraph = { planner: new QueryPlanner(supergraph), apiSchema: supergraph.apiSchema(), supergraphSchema: supergraph.schema.toGraphQLJSSchema() };
  }

  /** The executor to hand Apollo: runs what it can, and hands the rest to `stock`. */
  executor(stock: Execute): Execute {
    return async (requestContext) => {
      const outcome = await this.execute(requestContext);
      if (typeof outcome === 'string') {
        this.options.onFallback(outcome);
        return stock(requestContext);
      }
      return outcome;
    };
  }

  private async execute(requestContext: GatewayRequestContext): Promise<GatewayExecutionResult | FallbackReason> {
    const { supergraph } = this;
    if (supergraph === undefined) return 'no_supergraph';
    if (requestContext.metrics.captureTraces) return 'traces';
    if (requestContext.request.http?.headers.get('apollo-query-plan-experimental')) return 'query_plan_requested';
    const { request, operation: operationNode } = requestContext;
    // Apollo's executor answers invalid variables with its own errors; leave those to it.
    if (
      (operationNode.variableDefinitions?.length ?? 0) > 0 &&
      getVariableValues(requestContext.schema, operationNode.variableDefinitions ?? [], request.variables ?? {}).errors !== undefined
    ) {
      return 'invalid_variables';
    }
    const { plan, operation } = await this.planFor(supergraph, requestContext);
    let compiled = this.compiled.get(plan);
    if (compiled === undefined) {
      compiled = compile(plan, operation(), supergraph.supergraphSchema);
      this.compiled.set(plan, compiled);
    }
    if (compiled instanceof UnsupportedPlan) return compiled.reason;
    return run(compiled, requestContext, this.options.dataSources, Object.create(null) as ResponseObject);
  }

  /**
   * Plans a subscription (validated, and past every edge check) with the same
   * planner and store as queries: the primary fetch to send to the owning
   * subgraph, and what completes each of its events into the client's answer.
   */
  async prepareSubscription(requestContext: GatewayRequestContext): Promise<PreparedSubscription> {
    const { supergraph } = this;
    if (supergraph === undefined) throw new Error('no supergraph is loaded yet');
    const { plan, operation } = await this.planFor(supergraph, requestContext);
    let compiled = this.compiledSubscriptions.get(plan);
    if (compiled === undefined) {
      const op = operation();
      compiled = {
        ...compileSubscriptionPlan(plan, supergraph.supergraphSchema),
        shape: compileResponseShaper(op),
        variableDefinitions: op.variableDefinitions,
      };
      this.compiledSubscriptions.set(plan, compiled);
    }
    const { primary, rest, shape, variableDefinitions } = compiled;
    const { dataSources } = this.options;
    return {
      serviceName: primary.serviceName,
      request: {
        query: primary.operation,
        variables: pickVariables(primary.variableUsages, requestContext.request.variables),
        operationName: primary.operationName,
      },
      complete: (eventData) => run({ run: rest ?? (async () => {}), shape, variableDefinitions }, requestContext, dataSources, eventData),
    };
  }

  /** The operation's plan from the store, planned now on a miss; `operation` builds the planner's view of it when a compiler needs one. */
  private async planFor(supergraph: LoadedSupergraph, requestContext: GatewayRequestContext): Promise<{ plan: QueryPlan; operation: () => Operation }> {
    const { request, document } = requestContext;
    const key = request.operationName
      ? createHash('sha256').update(requestContext.queryHash).update(request.operationName).digest('hex')
      : requestContext.queryHash;
    const named = request.operationName ? { operationName: request.operationName } : {};
    let plan = await this.options.queryPlans.get(key);
    if (plan === undefined) {
      const operation = operationFromDocument(supergraph.apiSchema, document, named);
      plan = supergraph.planner.buildQueryPlan(operation);
      await this.options.queryPlans.set(key, plan);
      return { plan, operation: () => operation };
    }
    return { plan, operation: () => operationFromDocument(supergraph.apiSchema, document, { validate: false, ...named }) };
  }
}

/** A subscription ready to start: what to send its owning subgraph, and how each event it sends becomes the client's answer. */
export interface PreparedSubscription {
  readonly serviceName: string;
  readonly request: { readonly query: string; readonly variables: Record<string, unknown>; readonly operationName: string | undefined };
  /** Runs the rest of the plan on one event's data (the primary fetch's answer) and shapes the client's answer. */
  readonly complete: (eventData: ResponseObject) => Promise<GatewayExecutionResult>;
}

function compile(plan: QueryPlan, operation: Operation, supergraphSchema: GraphQLSchema): CompiledPlan | UnsupportedPlan {
  try {
    return { run: compilePlan(plan, supergraphSchema), shape: compileResponseShaper(operation), variableDefinitions: operation.variableDefinitions };
  } catch (error) {
    if (error instanceof UnsupportedPlan) return error;
    throw error;
  }
}

/** Runs a compiled plan and shapes its answer, reporting errors exactly as @apollo/gateway's `executeQueryPlan` does. */
async function run(
  compiled: CompiledPlan,
  requestContext: GatewayRequestContext,
  dataSources: ReadonlyMap<string, GraphQLDataSource<GatewayContext>>,
  merged: ResponseObject,
): Promise<GatewayExecutionResult> {
  const errors: Error[] = [];
  await compiled.run({ requestContext, dataSources, variableDefinitions: compiled.variableDefinitions, errors }, merged);
  let shaped: ReturnType<ResponseShaper>;
  try {
    shaped = compiled.shape(merged, requestContext.request.variables);
  } catch (error) {
    if (error instanceof GraphQLError) return { errors: [error] };
    if (error instanceof Error) return { errors: [new GraphQLError(error.message, { originalError: error })] };
    return { errors: [new GraphQLError('Unexpected error during query plan execution')] };
  }
  const { data } = shaped;
  // Stock reports nulls it propagated only when no fetch failed, and then outside `errors`.
  if (errors.length === 0 && shaped.errors.length > 0) return { extensions: { valueCompletion: shaped.errors }, data };
  // Fetch failures are what @apollo/gateway returns as they are, GraphQLErrors or not.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- stock returns them as they are, and Apollo Server formats any Error
  return errors.length === 0 ? { data } : { errors: errors as GraphQLError[], data };
}
