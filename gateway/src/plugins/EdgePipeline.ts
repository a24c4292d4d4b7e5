import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { OperationTypeNode, type OperationDefinitionNode } from 'graphql';
import { HttpError } from '../../../lib/http/HttpError.js';
import type { Viewer } from '../auth/Viewer.js';
import { FetchEpoch } from '../cache/FetchEpoch.js';
import type { GatewayContext } from '../context.js';
import { ErrorCode, GraphQLErrorWithCode } from '../../../lib/errors.js';
import type { Execute } from '../execution/executorTypes.js';
import { callerKey } from '../rateLimits/EdgeRateLimiter.js';
import { OperationState } from './OperationState.js';
import { SupergateError } from './SupergateError.js';
import type { ExecuteOperation, LoadedSupergraph, RouteHandler, SupergatePlugin, SupergateRequest } from './SupergatePlugin.js';

/**
 * The plugins of one gateway, compiled once into one list per kind of hook, so
 * a request costs a call (and an await only when a hook returns a promise) for
 * each hook that exists, and nothing for the kinds a plugin lacks.
 */
export class EdgePipeline {
  private readonly supergraphHooks: ((supergraph: LoadedSupergraph) => void)[] = [];
  private readonly requestHooks: ((request: SupergateRequest) => void | Promise<void>)[] = [];
  private readonly operationHooks: ((operation: OperationState) => void | Promise<void>)[] = [];
  private readonly wrappers: ((next: ExecuteOperation) => ExecuteOperation)[] = [];
  private readonly responseHooks: NonNullable<SupergatePlugin['onResponse']>[] = [];
  private readonly startHooks: (() => Promise<void>)[] = [];
  private readonly stopHooks: (() => Promise<void>)[] = [];
  private subscriptions: ExecuteOperation | undefined;
  /** Every plugin's HTTP routes. */
  readonly routes: Readonly<Record<string, RouteHandler>>;

  constructor(readonly plugins: readonly SupergatePlugin[]) {
    checkOrder(plugins);
    const routes: Record<string, RouteHandler> = {};
    for (const plugin of plugins) {
      // Bound, so a plugin written as a class keeps its `this`.
      if (plugin.onSupergraph) this.supergraphHooks.push(plugin.onSupergraph.bind(plugin));
      if (plugin.onRequest) this.requestHooks.push(plugin.onRequest.bind(plugin));
      if (plugin.onOperation) this.operationHooks.push(plugin.onOperation.bind(plugin));
      if (plugin.wrapExecute) this.wrappers.push(plugin.wrapExecute.bind(plugin));
      if (plugin.onResponse) this.responseHooks.push(plugin.onResponse.bind(plugin));
      if (plugin.onStart) this.startHooks.push(plugin.onStart.bind(plugin));
      if (plugin.onStop) this.stopHooks.push(plugin.onStop.bind(plugin));
      for (const [route, handler] of Object.entries(plugin.routes ?? {})) {
        if (route in routes) throw new Error(`plugin ${plugin.name} serves ${route}, which another plugin serves already`);
        routes[route] = answerRefusals(handler);
      }
    }
    this.routes = routes;
  }

  /** Tells every plugin the supergraph now served. */
  useSupergraph(supergraph: LoadedSupergraph): void {
    for (const hook of this.supergraphHooks) hook(supergraph);
  }

  /** Runs the request hooks and builds the request's context; a hook's refusal becomes the whole HTTP answer. */
  async context(
    req: Pick<IncomingMessage, 'headers'>,
    clientAddress: string,
    requestId: string,
    forwardedHeaders: Readonly<Record<string, string>>,
  ): Promise<GatewayContext> {
    const request = new RequestState(req.headers, clientAddress, requestId);
    try {
      for (const hook of this.requestHooks) {
        const pending = hook(request);
        if (pending !== undefined) await pending;
      }
    } catch (error) {
      throw asHttpError(error);
    }
    const { viewer, caller } = request;
    return { viewer, caller, requestId, forwardedHeaders, changedEntities: new Set(), fetchEpoch: new FetchEpoch() };
  }

  /** What takes a subscription once every operation hook passed it; execution wrappers (sharing, caching) are for answers given once. */
  serveSubscriptions(start: ExecuteOperation): void {
    this.subscriptions = start;
  }

  /** The executor Apollo Server runs: the operation hooks in order, then the execution wrappers around `execute`. */
  executor(execute: Execute): Execute {
    const run = this.wrappers.reduceRight<ExecuteOperation>(
      (next, wrap) => wrap(next),
      (requestContext) => execute(requestContext),
    );
    const hooks = this.operationHooks;
    return async (requestContext) => {
      // Typed as always there, but absent when the document has no operation of the requested name.
      const operation = requestContext.operation as OperationDefinitionNode | undefined;
      const { operationName } = requestContext;
      if (operation === undefined) {
        throw new GraphQLErrorWithCode(
          ErrorCode.OperationResolutionFailure,
          operationName ? `Unknown operation named "${operationName}".` : 'The document holds several operations; say which to run with operationName.',
          { status: 400 },
        );
      }
      const state = new OperationState(requestContext, operation);
      for (const hook of hooks) {
        const pending = hook(state);
        if (pending !== undefined) await pending;
        if (state.emptied) return { data: null, errors: [...state.errors] };
      }
      const startSubscription = operation.operation === OperationTypeNode.SUBSCRIPTION ? this.subscriptions : undefined;
      const result = await (startSubscription ?? run)(state.requestToRun(), state);
      return state.errors.length === 0 ? result : { ...result, errors: [...state.errors, ...(result.errors ?? [])] };
    };
  }

  /** The Apollo Server plugin that calls the response hooks; undefined when no plugin has one. */
  apolloPlugin(): ApolloServerPlugin<GatewayContext> | undefined {
    const hooks = this.responseHooks;
    if (hooks.length === 0) return undefined;
    // One listener for every request: nothing is allocated per request beyond the hooks' argument.
    const listener: GraphQLRequestListener<GatewayContext> = {
      async willSendResponse({ contextValue, operationName, response }) {
        if (response.body.kind !== 'single') return;
        const answer = { context: contextValue, operationName: operationName ?? null, body: response.body.singleResult, headers: response.http.headers };
        for (const hook of hooks) hook(answer);
      },
    };
    return { requestDidStart: async () => listener };
  }

  async start(): Promise<void> {
    for (const hook of this.startHooks) await hook();
  }

  async stop(): Promise<void> {
    for (const hook of this.stopHooks) await hook();
  }
}

class RequestState implements SupergateRequest {
  viewer: Viewer | null = null;

  constructor(
    readonly headers: IncomingHttpHeaders,
    readonly clientAddress: string,
    readonly requestId: string,
  ) {}

  get caller(): string {
    return callerKey(this.viewer?.sub, this.clientAddress);
  }
}

/** A plugin's refusal as the HTTP answer it stands for; any other error is left as it is. */
function asHttpError(error: unknown): unknown {
  return error instanceof SupergateError ? new HttpError(error.status, error.code, error.message, error.headers) : error;
}

function answerRefusals(handler: RouteHandler): RouteHandler {
  return async (req, res) => {
    try {
      await handler(req, res);
    } catch (error) {
      throw asHttpError(error);
    }
  };
}

/** Refuses a pipeline with two plugins of one name, or one listed before a plugin it must follow. */
function checkOrder(plugins: readonly SupergatePlugin[]): void {
  const position = new Map<string, number>();
  plugins.forEach((plugin, index) => {
    if (position.has(plugin.name)) throw new Error(`two plugins are named ${plugin.name}; each plugin may appear once`);
    position.set(plugin.name, index);
  });
  plugins.forEach((plugin, index) => {
    for (const earlier of plugin.after ?? []) {
      const at = position.get(earlier);
      if (at !== undefined && at > index) throw new Error(`plugin ${plugin.name} must come after ${earlier} in the plugin list`);
    }
  });
}
