import { createHash } from 'node:crypto';
import { print, type DocumentNode, type GraphQLError, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { GatewayContext } from '../context.js';
import type { GatewayRequestContext } from '../execution/executorTypes.js';
import type { SupergateOperation } from './SupergatePlugin.js';

const NO_ERRORS: readonly GraphQLError[] = Object.freeze([]);

/** One operation between validation and its answer: what the operation hooks decided so far. */
export class OperationState implements SupergateOperation {
  readonly context: GatewayContext;
  readonly schema: GraphQLSchema;
  readonly operationName: string | null;
  readonly variables: Readonly<Record<string, unknown>>;
  document: DocumentNode;
  errors: readonly GraphQLError[] = NO_ERRORS;
  cost: number | undefined = undefined;
  /** True once a hook left nothing to run. */
  emptied = false;

  constructor(
    readonly request: GatewayRequestContext,
    readonly operation: OperationDefinitionNode,
  ) {
    // @apollo/gateway types the context loosely; the ApolloServer<GatewayContext> calling this executor built it as one.
    this.context = request.context as GatewayContext;
    this.schema = request.schema;
    this.operationName = request.operationName;
    this.variables = request.request.variables ?? {};
    this.document = request.document;
  }

  replaceDocument(document: DocumentNode | null, errors: readonly GraphQLError[]): void {
    if (errors.length > 0) this.errors = this.errors.length === 0 ? errors : [...this.errors, ...errors];
    if (document === null) this.emptied = true;
    else this.document = document;
  }

  /** Apollo's request context with the document to run: the client's own object when no hook replaced it. */
  requestToRun(): GatewayRequestContext {
    const { request, document } = this;
    // The plan cache is keyed by queryHash, so a replaced document needs its own.
    return document === request.document ? request : { ...request, document, queryHash: queryHashOf(document) };
  }
}

/** Replaced documents are remembered by the hooks that make them (one per kind of caller), so each is printed and hashed once. */
const queryHashes = new WeakMap<DocumentNode, string>();

function queryHashOf(document: DocumentNode): string {
  let hash = queryHashes.get(document);
  if (hash === undefined) {
    hash = createHash('sha256').update(print(document)).digest('hex');
    queryHashes.set(document, hash);
  }
  return hash;
}
