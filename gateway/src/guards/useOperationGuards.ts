import type { ApolloServerPlugin } from '@apollo/server';
import { BREAK, OperationTypeNode, visit, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { ErrorCode, GraphQLErrorWithCode } from '../../../lib/errors.js';
import type { GatewayContext } from '../context.js';
import { containsNul, NUL_MESSAGE } from './containsNul.js';

/**
 * Refuses, with HTTP 400 and before anything is planned, operations the gateway
 * cannot serve or no subgraph should see: a subscription sent over a
 * transport that answers once and cannot stream, an operation type the schema lacks, and a
 * NUL character in a string argument or variable (databases reject it).
 * Runs after validation, so it sees a document that is known to be well-formed.
 */
export function useOperationGuards(): ApolloServerPlugin<GatewayContext> {
  const literalsWithNul = new WeakMap<DocumentNode, boolean>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, schema, document, request, contextValue }) {
          // An unknown operation name is answered by the gateway's own check.
          if (operation !== undefined) refuseUnservedType(operation, schema, contextValue.subscription !== undefined);
          let hasNul = literalsWithNul.get(document);
          if (hasNul === undefined) {
            hasNul = stringLiteralsContainNul(document);
            literalsWithNul.set(document, hasNul);
          }
          if (hasNul || containsNul(request.variables)) throw new GraphQLErrorWithCode(ErrorCode.BadUserInput, NUL_MESSAGE, { status: 400 });
        },
      };
    },
  };
}

function refuseUnservedType(operation: OperationDefinitionNode, schema: GraphQLSchema, canStream: boolean): void {
  if (operation.operation === OperationTypeNode.SUBSCRIPTION && !canStream) {
    throw new GraphQLErrorWithCode(
      ErrorCode.OperationNotSupported,
      'Subscriptions are served over WebSocket (graphql-transport-ws), Server-Sent Events (Accept: text/event-stream) or multipart HTTP (Accept: multipart/mixed;subscriptionSpec="1.0"), not as a plain POST or GET.',
      { status: 400 },
    );
  }
  if (schema.getRootType(operation.operation) == null) {
    throw new GraphQLErrorWithCode(ErrorCode.OperationNotSupported, `The schema has no ${operation.operation} operations.`, { status: 400 });
  }
}

/** One pass over the document as written (fragments once each), never the expanded operation. */
function stringLiteralsContainNul(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    StringValue(node) {
      if (!node.value.includes('\u0000')) return undefined;
      found = true;
      return BREAK;
    },
  });
  return found;
}
