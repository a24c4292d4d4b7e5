import { Kind, parse, type DocumentNode, type FragmentDefinitionNode, type GraphQLFormattedError, type SelectionSetNode } from 'graphql';

/** Most errors one failed fetch reports by path; a larger fetch gets one more error, without a path, for the rest. */
export const MAX_FIELD_ERRORS_PER_FETCH = 100;

/** What a failed subgraph fetch was asked: its document and the entities it was to complete. */
export interface FailedFetch {
  readonly query: string | undefined;
  readonly document: DocumentNode | undefined;
  readonly variables: Readonly<Record<string, unknown>> | undefined;
}

/**
 * The errors a failed subgraph fetch leaves in the answer: one per field the fetch would have
 * filled, at that field's path, as a single GraphQL server reports a failing resolver; so a
 * client sees which fields are missing and why. Paths are relative to the fetch, the way a
 * subgraph reports them: `['_entities', i, field]` for an entity fetch (which @apollo/gateway maps
 * onto the entity's place in the answer) or `[field]` for a root field. `undefined` when the
 * fetch's document cannot be read; the caller then reports the error without a path.
 */
export function errorsAtFetchedFields(error: GraphQLFormattedError, fetch: FailedFetch): GraphQLFormattedError[] | undefined {
  const document = fetch.document ?? parseOrUndefined(fetch.query);
  const operation = document?.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  if (document === undefined || operation === undefined) return undefined;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);

  const paths: (string | number)[][] = [];
  for (const root of responseFields(operation.selectionSet, undefined, fragments)) {
    if (root.name !== '_entities') {
      paths.push([root.responseName]);
      continue;
    }
    const representations = fetch.variables?.['representations'];
    const { selectionSet } = root;
    if (!Array.isArray(representations) || selectionSet === undefined) return undefined;
    representations.forEach((representation: unknown, index) => {
      const typename = typeof representation === 'object' && representation !== null ? (representation as { __typename?: unknown }).__typename : undefined;
      for (const field of responseFields(selectionSet, typeof typename === 'string' ? typename : undefined, fragments))
        paths.push([root.responseName, index, field.responseName]);
    });
  }
  const { message, extensions } = error;
  const errors: GraphQLFormattedError[] = paths
    .slice(0, MAX_FIELD_ERRORS_PER_FETCH)
    .map((path) => ({ message, path, ...(extensions === undefined ? {} : { extensions }) }));
  if (paths.length > MAX_FIELD_ERRORS_PER_FETCH) errors.push({ message, ...(extensions === undefined ? {} : { extensions }) });
  return errors;
}

interface ResponseField {
  readonly name: string;
  readonly responseName: string;
  readonly selectionSet: SelectionSetNode | undefined;
}

/** The fields a selection set puts in the answer for an object of type `typename` (any type when unknown), `__typename` aside. */
function responseFields(selectionSet: SelectionSetNode, typename: string | undefined, fragments: ReadonlyMap<string, FragmentDefinitionNode>): ResponseField[] {
  const fields = new Map<string, ResponseField>();
  // Each fragment once: the planner's documents are small, but a spread may repeat.
  const visited = new Set<string>();
  const collect = (set: SelectionSetNode): void => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const responseName = selection.alias?.value ?? selection.name.value;
        if (selection.name.value !== '__typename' && !fields.has(responseName))
          fields.set(responseName, { name: selection.name.value, responseName, selectionSet: selection.selectionSet });
        continue;
      }
      const condition =
        selection.kind === Kind.INLINE_FRAGMENT ? selection.typeCondition?.name.value : fragments.get(selection.name.value)?.typeCondition.name.value;
      if (typename !== undefined && condition !== undefined && condition !== typename) continue;
      if (selection.kind === Kind.INLINE_FRAGMENT) collect(selection.selectionSet);
      else if (!visited.has(selection.name.value)) {
        visited.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment !== undefined) collect(fragment.selectionSet);
      }
    }
  };
  collect(selectionSet);
  return [...fields.values()];
}

function parseOrUndefined(query: string | undefined): DocumentNode | undefined {
  if (query === undefined) return undefined;
  try {
    return parse(query, { noLocation: true });
  } catch {
    return undefined;
  }
}
