import { OperationMemo } from '../OperationMemo.js';
import type { SupergatePlugin } from '../plugins/SupergatePlugin.js';
import type { SecurityRequirements } from './securityRequirements.js';

/**
 * Enforces the supergraph's `@authenticated` and `@requiresScopes`, as Apollo
 * Router does: each field the caller may not read is removed from the document
 * that runs, with an `UNAUTHENTICATED` or `FORBIDDEN` error at its path, and the
 * rest of the operation still runs; when nothing is left, nothing runs. Each
 * document is filtered once per kind of caller (signed in or not, which scopes).
 */
export function useAuthorization(): SupergatePlugin {
  const memo = new OperationMemo();
  let security: SecurityRequirements | undefined;
  return {
    name: 'authorization',
    onSupergraph(supergraph) {
      security = supergraph.security;
      memo.forget();
    },
    onOperation(operation) {
      // Fail closed: without the supergraph's requirements nothing may run.
      if (security === undefined) throw new Error('useAuthorization: no supergraph loaded');
      const { document, errors } = memo.authorize(operation.schema, operation.document, operation.operationName, operation.context.viewer, security);
      if (errors.length > 0 || document !== operation.document) operation.replaceDocument(document, errors);
    },
  };
}
