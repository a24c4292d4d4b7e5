import { TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { RateLimitArgs } from 'graphql-rate-limit-directive';
import { rateLimitFor } from './fieldRateLimits.js';

/** The `@rateLimit`ed fields an operation selects, with how often it selects each. */
export function rateLimitedFields(
  schema: GraphQLSchema,
  document: DocumentNode,
  limits: ReadonlyMap<string, RateLimitArgs>,
): Map<string, { limit: RateLimitArgs; uses: number }> {
  const found = new Map<string, { limit: RateLimitArgs; uses: number }>();
  if (limits.size === 0) return found;
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (parent === null || parent === undefined) return;
        const limit = rateLimitFor(limits, parent.name, node.name.value);
        if (limit === undefined) return;
        const coordinate = `${parent.name}.${node.name.value}`;
        const entry = found.get(coordinate);
        if (entry === undefined) found.set(coordinate, { limit, uses: 1 });
        else entry.uses += 1;
      },
    }),
  );
  return found;
}
