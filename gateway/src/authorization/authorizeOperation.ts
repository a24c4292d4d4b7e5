import {
  GraphQLError,
  Kind,
  getNamedType,
  isInterfaceType,
  isObjectType,
  type DefinitionNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import { ErrorCode, GraphQLErrorWithCode } from '../../../lib/errors.js';
import type { Viewer } from '../auth/Viewer.js';
import { fragmentsOf, selectOperation } from '../operations/documentParts.js';
import type { Requirement, SecurityRequirements } from './securityRequirements.js';

export interface AuthorizedOperation {
  /** The operation with every field the caller may not read removed; `null` when nothing is left. */
  readonly document: DocumentNode | null;
  /** One error per removed field and place it is written, at the response path of its first use; at most `MAX_ERRORS`. */
  readonly errors: readonly GraphQLError[];
}

/** A document with a denied field in a fragment spread 2^20 times still gets a short answer. */
export const MAX_ERRORS = 100;

/**
 * Removes the fields the caller may not read, as Apollo Router does: each removed
 * field gets an UNAUTHENTICATED or FORBIDDEN error, and the rest of the operation
 * still runs. Each fragment is filtered once, however often it is spread, so the
 * work is linear in the document; its errors carry the path of its first use.
 * The result keeps the fragments, so it is no larger than the document.
 */
export function authorizeOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  viewer: Viewer | null,
  requirements: SecurityRequirements,
): AuthorizedOperation {
  if (requirements.byCoordinate.size === 0) return { document, errors: [] };
  const operation = selectOperation(document, operationName);
  if (operation === undefined) return { document, errors: [] };
  const fragments = fragmentsOf(document);
  const errors: GraphQLError[] = [];
  /** Each fragment's filtered form, `null` when nothing of it is left; `undefined` while it is being filtered. */
  const filteredFragments = new Map<string, FragmentDefinitionNode | null | undefined>();
  let denials = 0;
  const deny = (denial: Denial, coordinate: string, path: readonly string[]): void => {
    denials += 1;
    if (errors.length < MAX_ERRORS) errors.push(denied(denial, coordinate, [...path]));
  };

  const filterFragment = (name: string, path: string[]): FragmentDefinitionNode | null => {
    if (filteredFragments.has(name)) return filteredFragments.get(name) ?? null;
    const fragment = fragments.get(name);
    if (fragment === undefined) return null;
    filteredFragments.set(name, undefined);
    const selectionSet = filterSelectionSet(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value), path);
    const filtered = selectionSet === null ? null : selectionSet === fragment.selectionSet ? fragment : { ...fragment, selectionSet };
    filteredFragments.set(name, filtered);
    return filtered;
  };

  const filterSelectionSet = (selectionSet: SelectionSetNode, parent: GraphQLNamedType | undefined, path: string[]): SelectionSetNode | null => {
    const kept: SelectionNode[] = [];
    let removedAny = false;
    for (const selection of selectionSet.selections) {
      const next = filterSelection(selection, parent, path);
      if (next !== selection) removedAny = true;
      if (next !== null) kept.push(next);
    }
    if (kept.length === 0) return null;
    return removedAny ? { ...selectionSet, selections: kept } : selectionSet;
  };

  const filterSelection = (selection: SelectionNode, parent: GraphQLNamedType | undefined, path: string[]): SelectionNode | null => {
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = filterFragment(selection.name.value, path);
      return fragment === null ? null : selection;
    }
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition === undefined ? parent : schema.getType(selection.typeCondition.name.value);
      const selectionSet = filterSelectionSet(selection.selectionSet, type, path);
      if (selectionSet === null) return null;
      return selectionSet === selection.selectionSet ? selection : { ...selection, selectionSet };
    }
    const field = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[selection.name.value] : undefined;
    if (parent === undefined || field === undefined) return selection;
    path.push(selection.alias?.value ?? selection.name.value);
    try {
      const coordinate = `${parent.name}.${field.name}`;
      const returned = getNamedType(field.type);
      const denial = denialFor(requirements.byCoordinate.get(coordinate), viewer) ?? denialFor(requirements.byCoordinate.get(returned.name), viewer);
      if (denial !== undefined) {
        deny(denial, coordinate, path);
        return null;
      }
      if (selection.selectionSet === undefined) return selection;
      const selectionSet = filterSelectionSet(selection.selectionSet, returned, path);
      // A field whose every subfield was removed cannot be asked for any more.
      if (selectionSet === null) return null;
      return selectionSet === selection.selectionSet ? selection : { ...selection, selectionSet };
    } finally {
      path.pop();
    }
  };

  const selectionSet = filterSelectionSet(operation.selectionSet, schema.getRootType(operation.operation) ?? undefined, []);
  if (denials === 0) return { document, errors: [] };
  if (selectionSet === null) return { document: null, errors };
  const definitions: DefinitionNode[] = [{ ...operation, selectionSet }];
  for (const fragment of filteredFragments.values()) if (fragment !== null && fragment !== undefined) definitions.push(fragment);
  return { document: { kind: Kind.DOCUMENT, definitions }, errors };
}

type Denial = ErrorCode.Unauthenticated | ErrorCode.Forbidden;

function denialFor(requirement: Requirement | undefined, viewer: Viewer | null): Denial | undefined {
  if (requirement === undefined) return undefined;
  if (viewer === null) return requirement.authenticated ? ErrorCode.Unauthenticated : undefined;
  if (requirement.anyOf.length === 0) return undefined;
  return requirement.anyOf.some((set) => set.every((scope) => viewer.scopes.has(scope))) ? undefined : ErrorCode.Forbidden;
}

function denied(code: Denial, coordinate: string, path: string[]): GraphQLError {
  const message =
    code === ErrorCode.Unauthenticated ? `You must be signed in to read ${coordinate}.` : `You do not have the scopes required to read ${coordinate}.`;
  return new GraphQLErrorWithCode(code, message, { path });
}
