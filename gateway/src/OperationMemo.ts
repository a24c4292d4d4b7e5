import { Kind, getNamedType, typeFromAST, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { RateLimitArgs } from 'graphql-rate-limit-directive';
import type { Viewer } from './auth/Viewer.js';
import { authorizeOperation, type AuthorizedOperation } from './authorization/authorizeOperation.js';
import type { SecurityRequirements } from './authorization/securityRequirements.js';
import { measureOperation, type MeasureOptions, type OperationMeasure } from './limits/measureOperation.js';
import { rateLimitedFields, type RateLimitedFields } from './rateLimits/rateLimitedFields.js';

/** Results remembered per document and kind of check; a document asked with ever-new variables or callers stays bounded. */
const MAX_ENTRIES_PER_DOCUMENT = 64;
/** A key longer than this (thousands of scopes, hundreds of size variables) is computed each time instead of remembered. */
const MAX_KEY_LENGTH = 1024;

interface DocumentMemo {
  readonly measures: Map<string, OperationMeasure>;
  readonly authorized: Map<string, AuthorizedOperation>;
  readonly limitedFields: WeakMap<DocumentNode, Map<string, RateLimitedFields>>;
  /** The variables a measure depends on: those of type `Int`, the only ones that can size a list. */
  sizeVariables?: readonly string[];
}

/**
 * Remembers what the edge checks work out about a document, which Apollo keeps
 * as one parsed object per query text: its measure per set of list sizes, its
 * authorized form per kind of caller, its rate-limited fields. The checks then
 * walk a popular operation once, not on every request. Each key holds only
 * what the result depends on, and is short, so entries are small and few.
 * Forgotten when the supergraph changes.
 */
export class OperationMemo {
  private memos = new WeakMap<DocumentNode, DocumentMemo>();

  forget(): void {
    this.memos = new WeakMap();
  }

  measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Readonly<Record<string, unknown>>,
    options: MeasureOptions,
  ): OperationMeasure {
    const memo = this.memoOf(document);
    memo.sizeVariables ??= intVariables(schema, operation);
    const key = `${operation.name?.value ?? ''}\u0000${JSON.stringify(memo.sizeVariables.map((name) => sizeValue(variables[name])))}`;
    return remember(memo.measures, key, () => measureOperation(schema, document, operation, variables, options));
  }

  /** Authorization depends only on whether the caller signed in and which scopes they hold. */
  authorize(
    schema: GraphQLSchema,
    document: DocumentNode,
    operationName: string | null | undefined,
    viewer: Viewer | null,
    security: SecurityRequirements,
  ): AuthorizedOperation {
    const key = `${operationName ?? ''}\u0000${viewer === null ? '-' : JSON.stringify([...viewer.scopes].sort())}`;
    return remember(this.memoOf(document).authorized, key, () => authorizeOperation(schema, document, operationName, viewer, security));
  }

  limitedFields(
    schema: GraphQLSchema,
    original: DocumentNode,
    authorized: DocumentNode,
    operationName: string | null | undefined,
    limits: ReadonlyMap<string, RateLimitArgs>,
  ): RateLimitedFields {
    const { limitedFields } = this.memoOf(original);
    let byOperation = limitedFields.get(authorized);
    if (byOperation === undefined) {
      byOperation = new Map();
      limitedFields.set(authorized, byOperation);
    }
    return remember(byOperation, operationName ?? '', () => rateLimitedFields(schema, authorized, operationName, limits));
  }

  /** How many results are remembered for a document, by kind of check. */
  remembered(document: DocumentNode): { readonly measures: number; readonly authorized: number } {
    const memo = this.memos.get(document);
    return { measures: memo?.measures.size ?? 0, authorized: memo?.authorized.size ?? 0 };
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

function remember<T>(entries: Map<string, T>, key: string, compute: () => T): T {
  const known = entries.get(key);
  if (known !== undefined) return known;
  const value = compute();
  if (key.length > MAX_KEY_LENGTH) return value;
  if (entries.size >= MAX_ENTRIES_PER_DOCUMENT) {
    const [oldest] = entries.keys();
    if (oldest !== undefined) entries.delete(oldest);
  }
  entries.set(key, value);
  return value;
}

function intVariables(schema: GraphQLSchema, operation: OperationDefinitionNode): string[] {
  return (operation.variableDefinitions ?? []).flatMap((definition) => {
    const type = definition.type.kind === Kind.NAMED_TYPE || definition.type.kind === Kind.NON_NULL_TYPE ? typeFromAST(schema, definition.type) : undefined;
    return type !== undefined && getNamedType(type).name === 'Int' ? [definition.variable.name.value] : [];
  });
}

/** What of a variable's value a measure can read: a number, else nothing. */
function sizeValue(value: unknown): number | null | 'absent' {
  if (value === undefined) return 'absent';
  return typeof value === 'number' ? value : null;
}
