import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { HeaderMap } from '@apollo/server';
import type { DocumentNode, FormattedExecutionResult, GraphQLError, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import type { Viewer } from '../auth/Viewer.js';
import type { GatewayContext } from '../context.js';
import type { GatewayExecutionResult, GatewayRequestContext } from '../execution/executorTypes.js';
import type { Supergraph } from '../supergraph/readSupergraph.js';

/**
 * One step of the gateway's edge pipeline. Every hook is optional; the gateway
 * calls only the hooks a plugin has, in the order the plugins are listed:
 *
 * 1. `onRequest`, for each request to /graphql before its operation is parsed;
 * 2. `onOperation`, after validation and before anything is planned: a hook
 *    starts once the one before it has settled, and all of them settle before
 *    any execution wrapper runs, so no subgraph is called and no cached answer
 *    is given before every check has passed;
 * 3. `wrapExecute`, around the query plan: the first plugin's wrapper is the
 *    outermost;
 * 4. `onResponse`, before the answer of an operation is sent.
 *
 * A hook refuses by throwing a `SupergateError` (its status and code reach the client).
 */
export interface SupergatePlugin {
  /** Names the plugin in start-up errors; unique in one pipeline. */
  readonly name: string;
  /** Plugins that must come before this one when they are in the pipeline too; checked when the gateway is created. */
  readonly after?: readonly string[] | undefined;
  /** Told every supergraph the gateway serves: the first before any request, then each valid reload. */
  onSupergraph?(supergraph: LoadedSupergraph): void;
  /** Before the operation is parsed: read headers, set `request.viewer`, or refuse with an HTTP status. */
  onRequest?(request: SupergateRequest): void | Promise<void>;
  /** After validation, before planning: refuse, or run another document with `operation.replaceDocument`. */
  onOperation?(operation: SupergateOperation): void | Promise<void>;
  /** Called once, as the gateway starts (not per request or reload): returns what runs the operation in place of `next`. */
  wrapExecute?(next: ExecuteOperation): ExecuteOperation;
  /** Before an operation's answer is sent (refusals of operation hooks included): set response headers. */
  onResponse?(response: SupergateResponse): void;
  /** Plain HTTP routes beside /graphql, keyed `METHOD /path`; a thrown `SupergateError` becomes the answer. */
  readonly routes?: Readonly<Record<string, RouteHandler>> | undefined;
  /** When the gateway starts serving, once Redis is connected: open what the plugin keeps open (a subscription to a channel). */
  onStart?(): Promise<void>;
  /** When the gateway stops, after the last request. */
  onStop?(): Promise<void>;
}

/** A supergraph the gateway has loaded, with what the built-in plugins read from it (read once for all of them). */
export interface LoadedSupergraph extends Supergraph {
  /** The composed supergraph SDL as the file holds it. */
  readonly sdl: string;
}

/** One request to /graphql, before its operation is parsed. */
export interface SupergateRequest {
  /** The client's headers, names lower-case. */
  readonly headers: IncomingHttpHeaders;
  /** The client's address: the socket's peer, or the trusted `X-Forwarded-For` entry (`TRUST_PROXY_HOPS`). */
  readonly clientAddress: string;
  /** The request's id: the client's valid `X-Request-Id`, or a generated one. */
  readonly requestId: string;
  /** Whose budgets the request spends: `user:<sub>` once a viewer is set, else `ip:<clientAddress>`. */
  readonly caller: string;
  /** The verified caller; null (anonymous) until a plugin sets it. */
  viewer: Viewer | null;
}

/** One operation on its way to execution, as operation hooks and execution wrappers see it. */
export interface SupergateOperation {
  /** What the request hooks established: viewer, caller, request id, forwarded headers. */
  readonly context: GatewayContext;
  /** The API schema the operation was validated against. */
  readonly schema: GraphQLSchema;
  /** The operation to run, as the client wrote it. */
  readonly operation: OperationDefinitionNode;
  readonly operationName: string | null;
  readonly variables: Readonly<Record<string, unknown>>;
  /** What Apollo Server knows of the request: HTTP headers, cache policy, response headers. */
  readonly request: GatewayRequestContext;
  /** The document that will be planned and run: the client's, unless a hook replaced it. */
  readonly document: DocumentNode;
  /** Errors the answer carries whatever execution returns; an answer with any is never cached. */
  readonly errors: readonly GraphQLError[];
  /** The operation's estimated cost once `useQueryLimits` has measured it; `useRateLimits` spends it. */
  cost: number | undefined;
  /**
   * Runs `document` in place of the current one (authorization removes the fields a
   * caller may not read this way), adding `errors` to the answer. `null` leaves
   * nothing to run: the answer is `{ data: null, errors }` and no later hook is called.
   */
  replaceDocument(document: DocumentNode | null, errors: readonly GraphQLError[]): void;
}

/**
 * Runs an operation: `requestContext` is Apollo's, with the document to run
 * (a wrapper may pass a copy with another document and its `queryHash`).
 */
export type ExecuteOperation = (requestContext: GatewayRequestContext, operation: SupergateOperation) => Promise<GatewayExecutionResult>;

/** An operation's answer, about to be sent. */
export interface SupergateResponse {
  readonly context: GatewayContext;
  readonly operationName: string | null;
  /** The answer as the client will read it, errors formatted. */
  readonly body: FormattedExecutionResult;
  /** The answer's HTTP headers: set yours here. */
  readonly headers: HeaderMap;
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
