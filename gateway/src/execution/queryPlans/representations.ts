import type { QueryPlanSelectionNode } from '@apollo/query-planner';
import { isAbstractType, isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';
import { mergeInto } from './mergeInto.js';
import type { ResponseObject } from './shapeResponse.js';

/** Picks an entity's representation (`__typename`, key and `@requires` fields) out of the answer so far; null when a field it needs is missing. */
export type RepresentationPicker = (entity: unknown) => ResponseObject | null;

/**
 * Compiles a fetch's `requires` selections into the function that picks each
 * entity's representation, as @apollo/gateway's `executeSelectionSet` does,
 * with type conditions resolved once per type name.
 */
export function compileRepresentationPicker(supergraphSchema: GraphQLSchema, selections: readonly QueryPlanSelectionNode[]): RepresentationPicker {
  const steps = selections.map((selection) => compileStep(supergraphSchema, selection));
  const pick = (source: unknown): ResponseObject | null => {
    if (source === null) return null;
    const result = Object.create(null) as ResponseObject;
    for (const step of steps) if (!step(source as ResponseObject, result)) return null;
    return result;
  };
  return pick;
}

/** Adds one selection to the representation; false when the source lacks a field it needs. */
type Step = (source: ResponseObject, result: ResponseObject) => boolean;

function compileStep(schema: GraphQLSchema, selection: QueryPlanSelectionNode): Step {
  if (selection.kind === 'Field') {
    const responseName = selection.alias ?? selection.name;
    const pickNested = selection.selections === undefined ? undefined : compileRepresentationPicker(schema, selection.selections);
    return (source, result) => {
      const value = Object.prototype.hasOwnProperty.call(source, responseName) ? source[responseName] : undefined;
      if (value === undefined) return false;
      if (Array.isArray(value)) result[responseName] = pickNested === undefined ? value.map((element: unknown) => element) : value.map(pickNested);
      else result[responseName] = pickNested === undefined ? value : pickNested(value);
      return true;
    };
  }
  const typeCondition = selection.typeCondition;
  if (typeCondition === undefined) return () => true;
  const pickFragment = compileRepresentationPicker(schema, selection.selections);
  const appliesTo = new Map<string, boolean>();
  return (source, result) => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the source is whatever the answer holds; stock's executeSelectionSet makes the same check
    if (!source) return true;
    if (isObjectOfType(schema, source, typeCondition, appliesTo)) mergeInto(result, pickFragment(source));
    return true;
  };
}

/** @apollo/gateway's `isObjectOfType`, remembered per type name. */
function isObjectOfType(schema: GraphQLSchema, object: ResponseObject, typeCondition: string, appliesTo: Map<string, boolean>): boolean {
  const typename = object['__typename'];
  if (!typename) return false;
  if (typename === typeCondition) return true;
  if (typeof typename !== 'string') return false;
  let known = appliesTo.get(typename);
  if (known === undefined) {
    const type = schema.getType(typename);
    const condition = schema.getType(typeCondition);
    known =
      type !== undefined &&
      condition !== undefined &&
      isAbstractType(condition) &&
      (isObjectType(type) || isInterfaceType(type)) &&
      schema.isSubType(condition, type);
    appliesTo.set(typename, known);
  }
  return known;
}
