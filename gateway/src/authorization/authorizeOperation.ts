import {
  GraphQLError,
  Kind,
  TypeInfo,
  getNamedType,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { Viewer } from '../auth/Viewer.js';
import { ErrorCode, GraphQLErrorWithCode } from '../errors.js';
import type { Requirement, SecurityRequirements } from './securityRequirements.js';

export interface AuthorizedOperation {
  /** The operation with every field the caller may not read removed; `null` when nothing is left. */
  readonly document: DocumentNode | null;
  /** One error per removed field, at its response path. */
  readonly errors: readonly GraphQLError[];
}

/**
 * Removes the fields the caller may not read, as Apollo Router does: each removed
 * field gets an UNAUTHENTICATED or FORBIDDEN error at its path, and the rest of the
 * operation still runs. Fragments are inlined first so a field is judged at every
 * place it is used.
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
  const inlined = inlineFragments(operation, fragmentsOf(document));
  const errors: GraphQLError[] = [];
  const path: string[] = [];
  const typeInfo = new TypeInfo(schema);
  const filtered = visit(
    inlined,
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter(node) {
          path.push(node.alias?.value ?? node.name.value);
          const parent = typeInfo.getParentType();
          const field = typeInfo.getFieldDef();
          if (parent === null || parent === undefined || field === null || field === undefined) return undefined;
          const denial =
            denialFor(requirements.byCoordinate.get(`${parent.name}.${field.name}`), viewer) ??
            denialFor(requirements.byCoordinate.get(getNamedType(field.type).name), viewer);
          if (denial === undefined) return undefined;
          errors.push(denied(denial, `${parent.name}.${field.name}`, [...path]));
          path.pop();
          return null;
        },
        leave(node) {
          path.pop();
          // A field whose every subfield was removed cannot be asked for any more.
          return node.selectionSet !== undefined && node.selectionSet.selections.length === 0 ? null : undefined;
        },
      },
      InlineFragment: {
        leave(node) {
          return node.selectionSet.selections.length === 0 ? null : undefined;
        },
      },
    }),
  );
  if (errors.length === 0) return { document, errors };
  if (filtered.selectionSet.selections.length === 0) return { document: null, errors };
  return { document: { kind: Kind.DOCUMENT, definitions: [filtered] }, errors };
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
    code === ErrorCode.Unauthenticated
      ? `You must be signed in to read ${coordinate}.`
      : `You do not have the scopes required to read ${coordinate}.`;
  return new GraphQLErrorWithCode(code, message, { path });
}

function selectOperation(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operationName === null || operationName === undefined) return operations.length === 1 ? operations[0] : undefined;
  return operations.find((operation) => operation.name?.value === operationName);
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

function inlineFragments(operation: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>): OperationDefinitionNode {
  const inlineSelectionSet = (selectionSet: SelectionSetNode): SelectionSetNode => ({
    ...selectionSet,
    selections: selectionSet.selections.map((selection) => {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (fragment === undefined) return selection;
        return {
          kind: Kind.INLINE_FRAGMENT,
          typeCondition: fragment.typeCondition,
          directives: selection.directives ?? [],
          selectionSet: inlineSelectionSet(fragment.selectionSet),
        };
      }
      if (selection.selectionSet === undefined) return selection;
      return { ...selection, selectionSet: inlineSelectionSet(selection.selectionSet) } as FieldNode;
    }),
  });
  return { ...operation, selectionSet: inlineSelectionSet(operation.selectionSet) };
}
