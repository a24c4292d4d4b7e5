import type { DocumentNode, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import type { RateLimitArgs } from 'graphql-rate-limit-directive';
import type { Viewer } from './auth/Viewer.js';
import { authorizeOperation, type AuthorizedOperation } from './authorization/authorizeOperation.js';
import type { SecurityRequirements } from './authorization/securityRequirements.js';
import { measureOperation, type OperationMeasure } from './limits/measureOperation.js';
import { rateLimitedFields } from './rateLimits/rateLimitedFields.js';

/** Distinct variable sets remembered per document; a document queried with ever-new variables stays bounded. */
const MAX_MEASURES_PER_DOCUMENT = 64;

interface DocumentMemo {
  readonly measures: Map<string, OperationMeasure>;
  readonly authorized: Map<string, AuthorizedOperation>;
  readonly limitedFields: WeakMap<DocumentNode, ReturnType<typeof rateLimitedFields>>;
}

/**
 * Remembers what the edge checks work out about a document, which Apollo keeps
 * as one parsed object per query text: its measure per set of variables, its
 * authorized form per kind of caller, its rate-limited fields. The checks then
 * walk a popular operation once, not on every request. Forgotten when the
 * supergraph changes.
 */
export class OperationMemo {
  private memos = new WeakMap<DocumentNode, DocumentMemo>();

  forget(): void {
    this.memos = new WeakMap();
  }

  measure(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Readonly<Record<string, unknown>>, defaultListSize: number): OperationMeasure {
    const { measures } = this.memoOf(document);
    const key = JSON.stringify(variables);
    let measure = measures.get(key);
    if (measure === undefined) {
      measure = measureOperation(schema, document, operation, variables, defaultListSize);
      if (measures.size >= MAX_MEASURES_PER_DOCUMENT) measures.delete(measures.keys().next().value as string);
      measures.set(key, measure);
    }
    return measure;
  }

  /** Authorization depends only on whether the caller signed in and which scopes they hold. */
  authorize(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, viewer: Viewer | null, security: SecurityRequirements): AuthorizedOperation {
    const { authorized } = this.memoOf(document);
    const key = `${operationName ?? ''}\u0000${viewer === null ? '-' : [...viewer.scopes].sort().join(' ')}`;
    let result = authorized.get(key);
    if (result === undefined) {
      result = authorizeOperation(schema, document, operationName, viewer, security);
      authorized.set(key, result);
    }
    return result;
  }

  limitedFields(schema: GraphQLSchema, original: DocumentNode, authorized: DocumentNode, limits: ReadonlyMap<string, RateLimitArgs>): ReturnType<typeof rateLimitedFields> {
    const { limitedFields } = this.memoOf(original);
    let fields = limitedFields.get(authorized);
    if (fields === undefined) {
      fields = rateLimitedFields(schema, authorized, limits);
      limitedFields.set(authorized, fields);
    }
    return fields;
  }

  private memoOf(document: DocumentNode): DocumentMemo {
    let memo = this.memos.get(document);
    if (memo === undefined) {
      memo = { measures: new Map(), authorized: new Map(), limitedFields: new WeakMap() };
      this.memos.set(document, memo);
    }
    return memo;
  }
}
