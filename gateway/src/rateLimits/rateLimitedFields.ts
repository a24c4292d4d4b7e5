import {
  Kind,
  isInterfaceType,
  isObjectType,
  getNamedType,
  type DocumentNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import type { RateLimitArgs } from 'graphql-rate-limit-directive';
import { fragmentsOf, selectOperation } from '../operations/documentParts.js';
import { rateLimitFor } from './fieldRateLimits.js';

export type RateLimitedFields = Map<string, { limit: RateLimitArgs; uses: number }>;

/** Keeps a doubling chain's use counts finite. */
const MAX_USES = 1e15;

/**
 * The `@rateLimit`ed fields the operation that runs selects, with how often it
 * selects each, a fragment counting once per place it is spread. Each fragment
 * is counted once and its counts reused, so the walk is linear in the document.
 */
export function rateLimitedFields(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  limits: ReadonlyMap<string, RateLimitArgs>,
): RateLimitedFields {
  const found: RateLimitedFields = new Map();
  const operation = selectOperation(document, operationName);
  if (limits.size === 0 || operation === undefined) return found;
  const fragments = fragmentsOf(document);
  const fragmentUses = new Map<string, Map<string, number>>();

  const count = (selectionSet: SelectionSetNode, parent: GraphQLNamedType | undefined, uses: Map<string, number>): void => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        count(selection.selectionSet, selection.typeCondition === undefined ? parent : schema.getType(selection.typeCondition.name.value), uses);
      } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        for (const [coordinate, n] of usesOfFragment(selection.name.value)) addUses(uses, coordinate, n);
      } else {
        const field = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[selection.name.value] : undefined;
        if (parent === undefined || field === undefined) continue;
        if (rateLimitFor(limits, parent.name, field.name) !== undefined) addUses(uses, `${parent.name}.${field.name}`, 1);
        if (selection.selectionSet !== undefined) count(selection.selectionSet, getNamedType(field.type), uses);
      }
    }
  };

  const usesOfFragment = (name: string): Map<string, number> => {
    const known = fragmentUses.get(name);
    if (known !== undefined) return known;
    const uses = new Map<string, number>();
    // Set before counting: validation refuses cycles, and this keeps an unvalidated one finite.
    fragmentUses.set(name, uses);
    const fragment = fragments.get(name);
    if (fragment !== undefined) count(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value), uses);
    return uses;
  };

  const uses = new Map<string, number>();
  count(operation.selectionSet, schema.getRootType(operation.operation) ?? undefined, uses);
  for (const [coordinate, n] of uses) {
    const [typeName = '', fieldName = ''] = coordinate.split('.');
    const limit = rateLimitFor(limits, typeName, fieldName);
    if (limit !== undefined) found.set(coordinate, { limit, uses: n });
  }
  return found;
}

function addUses(uses: Map<string, number>, coordinate: string, n: number): void {
  uses.set(coordinate, Math.min(MAX_USES, (uses.get(coordinate) ?? 0) + n));
}
