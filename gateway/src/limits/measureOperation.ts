import {
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  getNamedType,
  getNullableType,
  isInterfaceType,
  isListType,
  isObjectType,
  type ArgumentNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { fragmentsOf } from '../operations/documentParts.js';
import type { CostDirectives, ListSize } from './costDirectives.js';

/** The size of one operation, measured before anything is planned or fetched. */
export interface OperationMeasure {
  /** Directives on the operation and its selections, counted at every place a fragment is used. */
  readonly directives: number;
  /** Selections (fields, inline fragments, fragment spreads) the operation expands to. */
  readonly selections: number;
  /** Deepest field nesting (a root field is depth 1); introspection is not counted. */
  readonly depth: number;
  /** Deepest nesting of selection sets, where inline fragments and fragment spreads open a level as fields do. */
  readonly nesting: number;
  /** Aliased fields, `__typename` and introspection included. */
  readonly aliases: number;
  /** Fields at the root once fragments are flattened. */
  readonly rootFields: number;
  /** Estimated work: each field counts its weight once per item of every list around it; introspection is free. */
  readonly cost: number;
}

export interface MeasureOptions {
  /** Length of a list that neither its arguments nor `@listSize` size. */
  readonly defaultListSize: number;
  readonly costDirectives: CostDirectives;
}

/** Arguments that size a list when the schema does not say otherwise with `@listSize(slicingArguments:)`. */
const SIZE_ARGUMENTS: readonly string[] = ['first', 'last', 'limit'];
/** Keeps a bomb's numbers finite so they are compared, not overflowed. */
const CEILING = 1e15;

/**
 * What one selection set amounts to, independent of where it is used: the
 * counts, plus its cost split into a fixed part and the lists whose length
 * comes from the field around them (a connection's `first` sizing its `nodes`).
 */
interface Summary {
  selections: number;
  directives: number;
  aliases: number;
  /** Fields at this level, through fragments. */
  fields: number;
  depth: number;
  nesting: number;
  fixedCost: number;
  /** Per item cost of the lists at this level that the enclosing field may size, by field name and fallback length. */
  readonly sizedLists: Map<string, SizedList>;
}

interface SizedList {
  readonly fieldName: string;
  /** Length when the enclosing field does not size it. */
  readonly fallbackSize: number;
  costPerItem: number;
}

/** How the enclosing field sizes the lists directly inside it. */
interface InheritedSize {
  readonly size: number;
  /** Only these child fields; all child lists when absent. */
  readonly fields?: ReadonlySet<string> | undefined;
}

/**
 * Measures an operation in one walk that is linear in the document's size:
 * each fragment is summarised once and its summary reused wherever it is
 * spread, so a chain of fragments that each spread the next twice costs no
 * more to measure than to read. A list's length is its slicing argument (from
 * `@listSize`, else `first`/`last`/`limit`), given literally, through a
 * variable (its default when the request leaves it out) or as the argument's
 * default; else `@listSize(assumedSize:)`, else `defaultListSize`.
 */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
  options: MeasureOptions,
): OperationMeasure {
  const fragments = fragmentsOf(document);
  const fragmentSummaries = new Map<string, Summary | null>();
  const { weights, listSizes } = options.costDirectives;
  const variableDefaults = new Map<string, ValueNode>();
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue !== undefined) variableDefaults.set(definition.variable.name.value, definition.defaultValue);
  }

  /** An argument's value as execution will see it: literal, the variable's value, its default, else the argument's own default. */
  const argumentValue = (given: ValueNode | undefined, argumentDefault: unknown): unknown => {
    if (given === undefined) return argumentDefault;
    if (given.kind === Kind.INT) return Number(given.value);
    if (given.kind !== Kind.VARIABLE) return undefined;
    const name = given.name.value;
    if (Object.hasOwn(variables, name)) return variables[name];
    const fallback = variableDefaults.get(name);
    if (fallback === undefined) return argumentDefault;
    return fallback.kind === Kind.INT ? Number(fallback.value) : undefined;
  };

  const slicedSize = (node: FieldNode, field: GraphQLField<unknown, unknown>, listSize: ListSize | undefined): number | undefined => {
    const names = listSize?.slicingArguments ?? SIZE_ARGUMENTS;
    let size: number | undefined;
    for (const name of names) {
      const given = node.arguments?.find((arg: ArgumentNode) => arg.name.value === name);
      const value = argumentValue(given?.value, field.args.find((arg) => arg.name === name)?.defaultValue);
      if (typeof value === 'number' && Number.isFinite(value) && value >= 0) size = Math.max(size ?? 0, value);
    }
    return size;
  };

  const summarizeFragment = (fragment: FragmentDefinitionNode): Summary => {
    const name = fragment.name.value;
    const known = fragmentSummaries.get(name);
    if (known !== undefined) return known ?? emptySummary();
    // Validation refuses cycles; this only keeps a walk over an unvalidated document finite.
    fragmentSummaries.set(name, null);
    const summary = summarize(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value));
    fragmentSummaries.set(name, summary);
    return summary;
  };

  const summarize = (selectionSet: SelectionSetNode, parent: GraphQLNamedType | undefined): Summary => {
    const summary = emptySummary();
    for (const selection of selectionSet.selections) {
      summary.selections = add(summary.selections, 1);
      summary.directives = add(summary.directives, selection.directives?.length ?? 0);
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition === undefined ? parent : schema.getType(selection.typeCondition.name.value);
        const inner = summarize(selection.selectionSet, type);
        merge(summary, inner);
        summary.nesting = Math.max(summary.nesting, inner.nesting + 1);
      } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (fragment === undefined) continue;
        const inner = summarizeFragment(fragment);
        merge(summary, inner);
        summary.nesting = Math.max(summary.nesting, inner.nesting + 1);
      } else {
        addField(summary, selection, parent);
      }
    }
    return summary;
  };

  const addField = (summary: Summary, node: FieldNode, parent: GraphQLNamedType | undefined): void => {
    const name = node.name.value;
    summary.fields = add(summary.fields, 1);
    summary.nesting = Math.max(summary.nesting, 1);
    if (node.alias !== undefined) summary.aliases = add(summary.aliases, 1);
    const field = fieldOf(schema, parent, name);
    if (name === SchemaMetaFieldDef.name || name === TypeMetaFieldDef.name) {
      // Introspection is bounded by the schema, not by the caller: its size counts, its depth and cost do not.
      if (node.selectionSet !== undefined) {
        const child = summarize(node.selectionSet, field === undefined ? undefined : getNamedType(field.type));
        summary.selections = add(summary.selections, child.selections);
        summary.directives = add(summary.directives, child.directives);
        summary.aliases = add(summary.aliases, child.aliases);
        summary.nesting = Math.max(summary.nesting, child.nesting + 1);
      }
      return;
    }
    const coordinate = `${parent?.name ?? ''}.${name}`;
    const returned = field === undefined ? undefined : getNamedType(field.type);
    const weight = weights.get(coordinate) ?? (returned === undefined ? undefined : weights.get(returned.name)) ?? 1;
    summary.fixedCost = add(summary.fixedCost, weight);
    if (node.selectionSet === undefined || field === undefined) {
      summary.depth = Math.max(summary.depth, 1);
      return;
    }
    const child = summarize(node.selectionSet, returned);
    summary.selections = add(summary.selections, child.selections);
    summary.directives = add(summary.directives, child.directives);
    summary.aliases = add(summary.aliases, child.aliases);
    summary.depth = Math.max(summary.depth, child.depth + 1);
    summary.nesting = Math.max(summary.nesting, child.nesting + 1);
    const listSize = listSizes.get(coordinate);
    const size = slicedSize(node, field, listSize);
    if (!isListType(getNullableType(field.type))) {
      const inherited = size === undefined ? undefined : { size, fields: listSize?.sizedFields === undefined ? undefined : new Set(listSize.sizedFields) };
      summary.fixedCost = add(summary.fixedCost, totalCost(child, inherited));
    } else if (size !== undefined) {
      summary.fixedCost = add(summary.fixedCost, multiply(size, totalCost(child, undefined)));
    } else {
      const fallbackSize = listSize?.assumedSize ?? options.defaultListSize;
      addSizedList(summary, { fieldName: name, fallbackSize, costPerItem: totalCost(child, undefined) });
    }
  };

  const root = summarize(operation.selectionSet, schema.getRootType(operation.operation) ?? undefined);
  return {
    directives: add(root.directives, operation.directives?.length ?? 0),
    selections: root.selections,
    depth: root.depth,
    nesting: root.nesting,
    aliases: root.aliases,
    rootFields: root.fields,
    cost: totalCost(root, undefined),
  };

  function totalCost(summary: Summary, inherited: InheritedSize | undefined): number {
    let cost = summary.fixedCost;
    for (const list of summary.sizedLists.values()) {
      const sized = inherited !== undefined && (inherited.fields === undefined || inherited.fields.has(list.fieldName));
      cost = add(cost, multiply(sized ? inherited.size : list.fallbackSize, list.costPerItem));
    }
    return cost;
  }
}

function fieldOf(schema: GraphQLSchema, parent: GraphQLNamedType | undefined, name: string): GraphQLField<unknown, unknown> | undefined {
  if (name === TypeNameMetaFieldDef.name) return TypeNameMetaFieldDef;
  if (parent === schema.getQueryType() && parent !== undefined) {
    if (name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
    if (name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
  }
  return isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
}

function emptySummary(): Summary {
  return { selections: 0, directives: 0, aliases: 0, fields: 0, depth: 0, nesting: 0, fixedCost: 0, sizedLists: new Map() };
}

function merge(into: Summary, from: Summary): void {
  into.selections = add(into.selections, from.selections);
  into.directives = add(into.directives, from.directives);
  into.aliases = add(into.aliases, from.aliases);
  into.fields = add(into.fields, from.fields);
  into.depth = Math.max(into.depth, from.depth);
  into.nesting = Math.max(into.nesting, from.nesting);
  into.fixedCost = add(into.fixedCost, from.fixedCost);
  for (const list of from.sizedLists.values()) addSizedList(into, list);
}

function addSizedList(summary: Summary, list: SizedList): void {
  const key = `${list.fieldName}\u0000${list.fallbackSize}`;
  const known = summary.sizedLists.get(key);
  if (known === undefined) summary.sizedLists.set(key, { ...list });
  else known.costPerItem = add(known.costPerItem, list.costPerItem);
}

function add(a: number, b: number): number {
  return Math.min(CEILING, a + b);
}

function multiply(a: number, b: number): number {
  return Math.min(CEILING, a * b);
}
