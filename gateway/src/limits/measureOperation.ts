import {
  Kind,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  isInterfaceType,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/** The size of one operation, measured before anything is planned or fetched. */
export interface OperationMeasure {
  /** Deepest field nesting (a root field is depth 1). */
  readonly depth: number;
  readonly aliases: number;
  readonly rootFields: number;
  /** Estimated work: each field counts once per item of every list around it. */
  readonly cost: number;
}

const SIZE_ARGUMENTS = new Set(['first', 'last', 'limit']);
/** Keeps a cost bomb's product finite so it is compared, not overflowed. */
const COST_CEILING = 1e15;

/**
 * Measures depth, aliases, root fields and estimated cost in one walk. A list's
 * length is its `first`/`last`/`limit` argument (or that argument's default), else `defaultListSize`; a
 * connection field's size argument sizes the lists inside it (`edges`, `nodes`).
 * Fragment spreads are followed, each at most once per path, so cycles end.
 */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
  defaultListSize: number,
): OperationMeasure {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  let depth = 0;
  let aliases = 0;
  let cost = 0;
  const rootType = schema.getRootType(operation.operation)?.name;

  const walk = (
    selectionSet: SelectionSetNode,
    typeName: string | undefined,
    level: number,
    multiplier: number,
    inheritedSize: number | undefined,
    visiting: ReadonlySet<string>,
  ): void => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet, selection.typeCondition?.name.value ?? typeName, level, multiplier, inheritedSize, visiting);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (fragment === undefined || visiting.has(fragment.name.value)) continue;
        walk(fragment.selectionSet, fragment.typeCondition.name.value, level, multiplier, inheritedSize, new Set([...visiting, fragment.name.value]));
        continue;
      }
      // Introspection is bounded by the schema, not by the caller, and is off in production.
      if (selection.name.value.startsWith('__')) continue;
      if (selection.alias !== undefined) aliases += 1;
      depth = Math.max(depth, level);
      cost = Math.min(COST_CEILING, cost + multiplier);
      if (selection.selectionSet === undefined) continue;
      const parent = typeName === undefined ? undefined : schema.getType(typeName);
      const field = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[selection.name.value] : undefined;
      const size = sizeArgument(selection.arguments ?? [], variables) ?? field?.args.find((arg) => SIZE_ARGUMENTS.has(arg.name) && typeof arg.defaultValue === 'number')?.defaultValue as number | undefined;
      const returnsList = field !== undefined && isListType(getNullableType(field.type));
      let childMultiplier = multiplier;
      let childInheritedSize: number | undefined;
      if (returnsList) childMultiplier *= size ?? inheritedSize ?? defaultListSize;
      else childInheritedSize = size;
      walk(selection.selectionSet, field === undefined ? undefined : getNamedType(field.type).name, level + 1, Math.min(COST_CEILING, childMultiplier), childInheritedSize, visiting);
    }
  };
  walk(operation.selectionSet, rootType, 1, 1, undefined, new Set());
  return { depth, aliases, rootFields: operation.selectionSet.selections.length, cost };
}

function sizeArgument(args: readonly { name: { value: string }; value: ValueNode }[], variables: Readonly<Record<string, unknown>>): number | undefined {
  for (const arg of args) {
    if (!SIZE_ARGUMENTS.has(arg.name.value)) continue;
    const value = arg.value.kind === Kind.VARIABLE ? variables[arg.value.name.value] : arg.value.kind === Kind.INT ? Number(arg.value.value) : undefined;
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  }
  return undefined;
}
