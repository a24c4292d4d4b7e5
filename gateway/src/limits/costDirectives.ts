import { Kind, parse, type ConstDirectiveNode, type ConstValueNode, type DocumentNode } from 'graphql';
import { linkedDirectiveName } from '../supergraph/linkedDirectiveName.js';

/** `@listSize` on a field: how long the list it returns (or the lists inside it) can be. */
export interface ListSize {
  /** Length assumed when no slicing argument says. */
  readonly assumedSize?: number | undefined;
  /** Arguments whose value is the length; the largest given wins. */
  readonly slicingArguments?: readonly string[] | undefined;
  /** On a connection: the child fields whose length the slicing argument sets. */
  readonly sizedFields?: readonly string[] | undefined;
}

/** The demand-control directives of a supergraph, as Apollo Router and Hive read them. */
export interface CostDirectives {
  /** `@cost(weight:)` by field coordinate (`Type.field`) or by type name. */
  readonly weights: ReadonlyMap<string, number>;
  /** `@listSize` by field coordinate. */
  readonly listSizes: ReadonlyMap<string, ListSize>;
}

export const NO_COST_DIRECTIVES: CostDirectives = { weights: new Map(), listSizes: new Map() };

const COST_SPEC_URL = 'https://specs.apollo.dev/cost/';

/**
 * Reads `@cost` and `@listSize` from a composed supergraph. Subgraphs declare
 * them through federation v2.9's `@link` imports; composition carries them
 * into the supergraph under the cost spec.
 */
export function readCostDirectives(supergraphSdl: string | DocumentNode): CostDirectives {
  const document = typeof supergraphSdl === 'string' ? parse(supergraphSdl) : supergraphSdl;
  const costName = linkedDirectiveName(document, COST_SPEC_URL, 'cost');
  const listSizeName = linkedDirectiveName(document, COST_SPEC_URL, 'listSize');
  if (costName === undefined && listSizeName === undefined) return NO_COST_DIRECTIVES;
  const weights = new Map<string, number>();
  const listSizes = new Map<string, ListSize>();
  const readWeight = (coordinate: string, directives: readonly ConstDirectiveNode[] | undefined): void => {
    const directive = directives?.find((d) => d.name.value === costName);
    const weight = directive === undefined ? undefined : intArgument(directive, 'weight');
    if (weight !== undefined && weight >= 0) weights.set(coordinate, weight);
  };
  for (const definition of document.definitions) {
    switch (definition.kind) {
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.OBJECT_TYPE_EXTENSION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_EXTENSION:
        readWeight(definition.name.value, definition.directives);
        for (const field of definition.fields ?? []) {
          const coordinate = `${definition.name.value}.${field.name.value}`;
          readWeight(coordinate, field.directives);
          const listSize = field.directives?.find((d) => d.name.value === listSizeName);
          if (listSize !== undefined) listSizes.set(coordinate, readListSize(listSize));
        }
        break;
      case Kind.SCALAR_TYPE_DEFINITION:
      case Kind.ENUM_TYPE_DEFINITION:
        readWeight(definition.name.value, definition.directives);
        break;
      default:
        break;
    }
  }
  return { weights, listSizes };
}

function readListSize(directive: ConstDirectiveNode): ListSize {
  const assumedSize = intArgument(directive, 'assumedSize');
  return {
    assumedSize: assumedSize !== undefined && assumedSize >= 0 ? assumedSize : undefined,
    slicingArguments: stringListArgument(directive, 'slicingArguments'),
    sizedFields: stringListArgument(directive, 'sizedFields'),
  };
}

function argument(directive: ConstDirectiveNode, name: string): ConstValueNode | undefined {
  return directive.arguments?.find((arg) => arg.name.value === name)?.value;
}

function intArgument(directive: ConstDirectiveNode, name: string): number | undefined {
  const value = argument(directive, name);
  return value?.kind === Kind.INT ? Number(value.value) : undefined;
}

function stringListArgument(directive: ConstDirectiveNode, name: string): string[] | undefined {
  const value = argument(directive, name);
  if (value?.kind !== Kind.LIST) return undefined;
  return value.values.flatMap((item) => (item.kind === Kind.STRING ? [item.value] : []));
}
