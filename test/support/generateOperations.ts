import { seededRandom } from '../../bench/seededRandom.js';
import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isLeafType,
  isNonNullType,
  isObjectType,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
} from 'graphql';

/** One generated operation and the variables it runs with. */
export interface GeneratedOperation {
  readonly query: string;
  readonly variables: Record<string, unknown>;
}

export interface GeneratorOptions {
  /** Values for arguments by name (`upc`, `id`, `first`); an argument with none is left out when it may be. */
  readonly argumentValues: Readonly<Record<string, readonly unknown[]>>;
  readonly maxDepth?: number;
}

/**
 * Generates `count` queries from a schema: random fields to `maxDepth`, with
 * aliases, named and inline fragments, `@skip`/`@include` on variables,
 * fragments on the possible types of abstract types, and the same field
 * selected twice with different sub-selections.
 */
export function generateOperations(schema: GraphQLSchema, seed: number, count: number, options: GeneratorOptions): GeneratedOperation[] {
  const operations: GeneratedOperation[] = [];
  for (let n = 0; n < count; n += 1) operations.push(new Generation(schema, seededRandom(seed + n), options).operation());
  return operations;
}

class Generation {
  private readonly fragments: string[] = [];
  private readonly variableDefinitions: string[] = [];
  private readonly variables: Record<string, unknown> = {};
  private names = 0;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly next: () => number,
    private readonly options: GeneratorOptions,
  ) {}

  operation(): GeneratedOperation {
    const query = this.schema.getQueryType();
    if (query === null || query === undefined) throw new Error('the schema has no query type');
    const selections = this.selections(query, 0, true);
    const header = this.variableDefinitions.length === 0 ? '' : `(${this.variableDefinitions.join(', ')})`;
    return { query: [`query Generated${header} { ${selections} }`, ...this.fragments].join('\n'), variables: this.variables };
  }

  private chance(p: number): boolean {
    return this.next() < p;
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  private selections(type: GraphQLCompositeType, depth: number, root = false): string {
    const parts: string[] = [];
    if (isAbstractType(type)) {
      // An abstract type gets __typename, its interface fields, and a fragment on some of its possible types.
      parts.push('__typename');
      if (isInterfaceType(type)) parts.push(...this.fieldsOf(type, depth, 2));
      for (const possible of this.schema.getPossibleTypes(type)) {
        if (this.chance(0.7)) parts.push(`... on ${possible.name} { ${this.selections(possible, depth + 1)} }`);
      }
      return parts.join(' ');
    }
    parts.push(...this.fieldsOf(type, depth, root ? 2 : 4));
    if (!root && this.chance(0.3)) parts.push(this.chance(0.5) ? '__typename' : `${this.alias()}: __typename`);
    if (this.chance(0.25)) parts.push(`... on ${type.name} { ${this.fieldsOf(type, depth, 2).join(' ')} }`);
    if (this.chance(0.25)) {
      const name = `F${this.names++}`;
      this.fragments.push(`fragment ${name} on ${type.name} { ${this.fieldsOf(type, depth, 3).join(' ')} }`);
      parts.push(`...${name}${this.condition()}`);
    }
    return parts.join(' ');
  }

  private fieldsOf(type: GraphQLCompositeType, depth: number, most: number): string[] {
    if (!isObjectType(type) && !isInterfaceType(type)) return [];
    const fields = Object.values(type.getFields()).filter((field) => this.callable(field));
    const leaves = fields.filter((field) => isLeafType(getNamedType(field.type)));
    const chosen = new Set<GraphQLField<unknown, unknown>>();
    // At least one leaf, so every selection set is valid.
    if (leaves.length > 0) chosen.add(this.pick(leaves));
    const wanted = 1 + Math.floor(this.next() * most);
    for (let tries = 0; tries < wanted * 2 && chosen.size < wanted; tries += 1) {
      const field = this.pick(fields);
      if (!isLeafType(getNamedType(field.type)) && depth >= (this.options.maxDepth ?? 4)) continue;
      chosen.add(field);
    }
    const parts: string[] = [];
    for (const field of chosen) {
      parts.push(this.field(field, depth));
      // The same field again under an alias or with another sub-selection: the answers must merge.
      if (this.chance(0.15)) parts.push(this.field(field, depth));
    }
    return parts;
  }

  private callable(field: GraphQLField<unknown, unknown>): boolean {
    return field.args.every((arg) => !isNonNullType(arg.type) || arg.defaultValue !== undefined || this.options.argumentValues[arg.name] !== undefined);
  }

  private field(field: GraphQLField<unknown, unknown>, depth: number): string {
    const args = field.args
      .filter((arg) => this.options.argumentValues[arg.name] !== undefined && (isNonNullType(arg.type) || this.chance(0.5)))
      .map((arg) => `${arg.name}: ${JSON.stringify(this.pick(this.options.argumentValues[arg.name] ?? []))}`);
    const alias = this.chance(0.25) ? `${this.alias()}: ` : '';
    const named = getNamedType(field.type);
    const selection = isCompositeType(named) ? ` { ${this.selections(named, depth + 1)} }` : '';
    // A field selected twice must agree on its arguments unless aliased apart.
    const argumentList = args.length === 0 ? '' : `(${args.join(', ')})`;
    return `${args.length > 0 && alias === '' ? `${this.alias()}: ` : alias}${field.name}${argumentList}${this.condition()}${selection}`;
  }

  private alias(): string {
    return `a${this.names++}`;
  }

  /** Sometimes a `@skip` or `@include` on a fresh variable, with a random value. */
  private condition(): string {
    if (!this.chance(0.2)) return '';
    const name = `v${this.names++}`;
    this.variableDefinitions.push(`$${name}: Boolean!`);
    this.variables[name] = this.chance(0.5);
    return this.chance(0.5) ? ` @skip(if: $${name})` : ` @include(if: $${name})`;
  }
}
