import { createHash } from 'node:crypto';
import {
  Kind,
  TypeInfo,
  isAbstractType,
  isObjectType,
  print,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
  type InlineFragmentNode,
  type SelectionNode,
} from 'graphql';

const RESERVED_PREFIX = '_supergate';
const TYPENAME_ALIAS = `${RESERVED_PREFIX}Typename`;
const KEY_ALIAS_PREFIX = `${RESERVED_PREFIX}Key_`;

export interface TaggableOperation {
  /** The operation with `__typename` and the key fields of every entity it reaches, under reserved aliases. */
  readonly document: DocumentNode;
  /** The plan cache key for `document`. */
  readonly queryHash: string;
}

/**
 * Makes an operation's answer say which entities it holds: every selection of
 * an entity type (or of an abstract type that may be one) also selects
 * `__typename` and the type's key fields under reserved aliases, which
 * `takeEntityTags` reads and removes. Memoized per parsed document.
 */
export class EntityTagger {
  private rewritten = new WeakMap<DocumentNode, TaggableOperation | null>();

  constructor(private keys: ReadonlyMap<string, readonly string[]>) {}

  /** Tags by a reloaded supergraph's entity keys from now on. */
  useKeys(keys: ReadonlyMap<string, readonly string[]>): void {
    this.keys = keys;
    this.rewritten = new WeakMap();
  }

  /** `null` when the document itself uses the reserved aliases, so its answer cannot be tagged without changing it. */
  taggable(document: DocumentNode, schema: GraphQLSchema): TaggableOperation | null {
    let operation = this.rewritten.get(document);
    if (operation === undefined) {
      const tagged = this.addKeySelections(document, schema);
      operation = tagged === null ? null : { document: tagged, queryHash: createHash('sha256').update(print(tagged)).digest('hex') };
      this.rewritten.set(document, operation);
    }
    return operation;
  }

  private addKeySelections(document: DocumentNode, schema: GraphQLSchema): DocumentNode | null {
    const typeInfo = new TypeInfo(schema);
    let reservedFields = 0;
    const tagged = visit(
      document,
      visitWithTypeInfo(typeInfo, {
        Field(node) {
          if ((node.alias ?? node.name).value.startsWith(RESERVED_PREFIX)) reservedFields += 1;
        },
        SelectionSet: {
          leave: (node) => {
            // Still this selection set's type: TypeInfo leaves the node after this visitor does.
            const type = typeInfo.getParentType();
            if (type === null || type === undefined) return undefined;
            const additions: SelectionNode[] = [];
            if (isObjectType(type) && this.keys.has(type.name)) {
              additions.push(field(TYPENAME_ALIAS, '__typename'), ...this.keySelections(type.name));
            } else if (isAbstractType(type)) {
              // Only where some possible type is an entity: a type condition on a type no subgraph keys can fail to plan.
              const entities = schema.getPossibleTypes(type).filter((possible) => this.keys.has(possible.name));
              if (entities.length > 0) additions.push(field(TYPENAME_ALIAS, '__typename'));
              for (const possible of entities) additions.push(inlineFragment(possible.name, this.keySelections(possible.name)));
            }
            return additions.length === 0 ? undefined : { ...node, selections: [...node.selections, ...additions] };
          },
        },
      }),
    );
    return reservedFields > 0 ? null : tagged;
  }

  private keySelections(typeName: string): FieldNode[] {
    return (this.keys.get(typeName) ?? []).map((key) => field(`${KEY_ALIAS_PREFIX}${key}`, key));
  }
}

/** Collects `Type:key` tags from an answer to a taggable operation and removes the reserved fields. */
export function takeEntityTags(data: unknown, tags = new Set<string>()): Set<string> {
  if (Array.isArray(data)) {
    for (const item of data) takeEntityTags(item, tags);
    return tags;
  }
  if (typeof data !== 'object' || data === null) return tags;
  const record = data as Record<string, unknown>;
  const typename = record[TYPENAME_ALIAS];
  if (typename !== undefined) {
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- the answer is JSON, not a Map: the reserved fields come out of it in place
    delete record[TYPENAME_ALIAS];
    const keyValues: string[] = [];
    for (const property of Object.keys(record)) {
      if (!property.startsWith(KEY_ALIAS_PREFIX)) continue;
      keyValues.push(String(record[property]));
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- the reserved key fields, out of the same JSON
      delete record[property];
    }
    if (typeof typename === 'string' && keyValues.length > 0) tags.add(`${typename}:${keyValues.join(':')}`);
  }
  for (const value of Object.values(record)) if (typeof value === 'object' && value !== null) takeEntityTags(value, tags);
  return tags;
}

function field(alias: string, name: string): FieldNode {
  return { kind: Kind.FIELD, alias: { kind: Kind.NAME, value: alias }, name: { kind: Kind.NAME, value: name } };
}

function inlineFragment(typeName: string, selections: readonly FieldNode[]): InlineFragmentNode {
  return {
    kind: Kind.INLINE_FRAGMENT,
    typeCondition: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: typeName } },
    selectionSet: { kind: Kind.SELECTION_SET, selections },
  };
}
