import {
  BreakingChangeType,
  DangerousChangeType,
  Kind,
  buildASTSchema,
  findBreakingChanges,
  findDangerousChanges,
  isInterfaceType,
  isObjectType,
  isSpecifiedScalarType,
  parse,
  visit,
  type ASTNode,
  type DefinitionNode,
  type DirectiveNode,
  type DocumentNode,
  type GraphQLSchema,
  type NameNode,
} from 'graphql';

/** How a change affects clients written against the old schema. */
export type Severity = 'breaking' | 'dangerous' | 'safe';

export interface SchemaChange {
  readonly severity: Severity;
  /** Schema coordinate: `Type`, `Type.field`, `Type.field(arg:)`, `Enum.VALUE` or `@directive`; empty when unknown. */
  readonly coordinate: string;
  /** Subgraphs that define the coordinate (after the change, or before it when it is gone); empty when unknown. */
  readonly subgraphs: readonly string[];
  /**
   * What kind of change it is, stable for an allow-list to name: graphql-js's `BreakingChangeType` or
   * `DangerousChangeType`, `FIELD_BECAME_NULLABLE` for a response field that only lost its `!`,
   * or `TYPE_ADDED` / `FIELD_ADDED`.
   */
  readonly type: string;
  readonly reason: string;
}

/** A response field's type lost its non-null wrapper and nothing else (graphql-js reports it as FIELD_CHANGED_KIND). */
export const FIELD_BECAME_NULLABLE = 'FIELD_BECAME_NULLABLE';

const SEVERITY_ORDER: Record<Severity, number> = { breaking: 0, dangerous: 1, safe: 2 };

/**
 * The changes a client sees between two composed supergraphs: both are reduced to
 * their API schema (what the gateway serves, without `@inaccessible` elements and
 * federation's own types), then compared with graphql-js's `findBreakingChanges`
 * and `findDangerousChanges`; additions are listed as safe.
 */
export function findSchemaChanges(oldSupergraphSdl: string, newSupergraphSdl: string): SchemaChange[] {
  const oldDocument = parse(oldSupergraphSdl);
  const newDocument = parse(newSupergraphSdl);
  const oldSchema = apiSchemaOf(oldDocument);
  const newSchema = apiSchemaOf(newDocument);
  const oldOwners = ownersOf(oldDocument);
  const newOwners = ownersOf(newDocument);
  const owners = (coordinate: string): string[] => {
    const key = coordinate.replace(/\(.*\)$/, '');
    return newOwners.get(key) ?? oldOwners.get(key) ?? [];
  };
  const changes: SchemaChange[] = [
    ...findBreakingChanges(oldSchema, newSchema).map((change) => ({
      // A built-in scalar leaves the schema when no field uses it any more; the change to that field is the break.
      severity: change.description.startsWith('Standard scalar ') ? ('dangerous' as const) : ('breaking' as const),
      ...explain(change.type, change.description),
    })),
    ...findDangerousChanges(oldSchema, newSchema).map((change) => ({ severity: severityOf(change.type), ...explain(change.type, change.description) })),
    ...additions(oldSchema, newSchema).map((addition) => ({ severity: 'safe' as const, ...addition })),
  ].map(({ severity, coordinate, type, reason }) => ({ severity, coordinate, subgraphs: coordinate === '' ? [] : owners(coordinate), type, reason }));
  return changes.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.coordinate.localeCompare(b.coordinate));
}

function severityOf(type: DangerousChangeType): Severity {
  // Optional additions cannot break an operation that worked before.
  return type === DangerousChangeType.OPTIONAL_ARG_ADDED || type === DangerousChangeType.OPTIONAL_INPUT_FIELD_ADDED ? 'safe' : 'dangerous';
}

interface Explained {
  coordinate: string;
  type: string;
  reason: string;
}

/** A sentence's captured parts, in order; '' for a group that did not take part in the match. */
type Captures = readonly [string, string, string, string, string];

type Explainer = (parts: Captures) => Omit<Explained, 'type'> & { type?: string };

/**
 * graphql-js describes each change in a sentence, not a coordinate; these patterns
 * read the coordinate back out of it. An unknown sentence is kept as the reason.
 */
const EXPLAINERS: Partial<Record<BreakingChangeType | DangerousChangeType, [RegExp, Explainer]>> = {
  [BreakingChangeType.TYPE_REMOVED]: [
    /^(Standard scalar )?(\w+) was removed/,
    ([standard, type]) => ({ coordinate: type, reason: standard === '' ? 'type removed' : 'built-in scalar no longer used by any field' }),
  ],
  [BreakingChangeType.TYPE_CHANGED_KIND]: [
    /^(\w+) changed from (.+) to (.+)\.$/,
    ([type, from, to]) => ({ coordinate: type, reason: `changed from ${from} to ${to}` }),
  ],
  [BreakingChangeType.TYPE_REMOVED_FROM_UNION]: [
    /^(\w+) was removed from union type (\w+)\.$/,
    ([member, union]) => ({ coordinate: union, reason: `${member} removed from the union` }),
  ],
  [BreakingChangeType.VALUE_REMOVED_FROM_ENUM]: [
    /^(\w+) was removed from enum type (\w+)\.$/,
    ([value, type]) => ({ coordinate: `${type}.${value}`, reason: 'enum value removed' }),
  ],
  [BreakingChangeType.REQUIRED_INPUT_FIELD_ADDED]: [
    /^A required field (\w+) on input type (\w+) was added\.$/,
    ([field, type]) => ({ coordinate: `${type}.${field}`, reason: 'required input field added: inputs that worked before now lack it' }),
  ],
  [BreakingChangeType.IMPLEMENTED_INTERFACE_REMOVED]: [
    /^(\w+) no longer implements interface (\w+)\.$/,
    ([type, iface]) => ({ coordinate: type, reason: `no longer implements ${iface}` }),
  ],
  [BreakingChangeType.FIELD_REMOVED]: [/^(\w+)\.(\w+) was removed\.$/, ([type, field]) => ({ coordinate: `${type}.${field}`, reason: 'field removed' })],
  [BreakingChangeType.FIELD_CHANGED_KIND]: [
    /^(\w+)\.(\w+) changed type from (.+) to (.+)\.$/,
    ([type, field, from, to]) => ({
      coordinate: `${type}.${field}`,
      reason: typeChange(from, to),
      ...(from === `${to}!` ? { type: FIELD_BECAME_NULLABLE } : {}),
    }),
  ],
  [BreakingChangeType.ARG_REMOVED]: [
    /^(\w+)\.(\w+) arg (\w+) was removed\.$/,
    ([type, field, arg]) => ({ coordinate: `${type}.${field}(${arg}:)`, reason: 'argument removed' }),
  ],
  [BreakingChangeType.ARG_CHANGED_KIND]: [
    /^(\w+)\.(\w+) arg (\w+) has changed type from (.+) to (.+)\.$/,
    ([type, field, arg, from, to]) => ({ coordinate: `${type}.${field}(${arg}:)`, reason: typeChange(from, to) }),
  ],
  [BreakingChangeType.REQUIRED_ARG_ADDED]: [
    /^A required arg (\w+) on (\w+)\.(\w+) was added\.$/,
    ([arg, type, field]) => ({ coordinate: `${type}.${field}(${arg}:)`, reason: 'required argument added: operations that do not pass it fail' }),
  ],
  [BreakingChangeType.DIRECTIVE_REMOVED]: [/^(\w+) was removed\.$/, ([directive]) => ({ coordinate: `@${directive}`, reason: 'directive removed' })],
  [BreakingChangeType.DIRECTIVE_ARG_REMOVED]: [
    /^(\w+) was removed from (\w+)\.$/,
    ([arg, directive]) => ({ coordinate: `@${directive}(${arg}:)`, reason: 'argument removed' }),
  ],
  [BreakingChangeType.REQUIRED_DIRECTIVE_ARG_ADDED]: [
    /^A required arg (\w+) on directive (\w+) was added\.$/,
    ([arg, directive]) => ({ coordinate: `@${directive}(${arg}:)`, reason: 'required argument added' }),
  ],
  [BreakingChangeType.DIRECTIVE_REPEATABLE_REMOVED]: [
    /^Repeatable flag was removed from (\w+)\.$/,
    ([directive]) => ({ coordinate: `@${directive}`, reason: 'no longer repeatable' }),
  ],
  [BreakingChangeType.DIRECTIVE_LOCATION_REMOVED]: [
    /^(\w+) was removed from (\w+)\.$/,
    ([location, directive]) => ({ coordinate: `@${directive}`, reason: `location ${location} removed` }),
  ],
  [DangerousChangeType.VALUE_ADDED_TO_ENUM]: [
    /^(\w+) was added to enum type (\w+)\.$/,
    ([value, type]) => ({ coordinate: `${type}.${value}`, reason: 'enum value added: clients that handle every value meet one they do not know' }),
  ],
  [DangerousChangeType.IMPLEMENTED_INTERFACE_ADDED]: [
    /^(\w+) added to interfaces implemented by (\w+)\.$/,
    ([iface, type]) => ({ coordinate: type, reason: `now implements ${iface}: fragments on it may match more objects` }),
  ],
  [DangerousChangeType.TYPE_ADDED_TO_UNION]: [
    /^(\w+) was added to union type (\w+)\.$/,
    ([member, union]) => ({ coordinate: union, reason: `${member} added to the union: clients may receive a type they do not handle` }),
  ],
  [DangerousChangeType.OPTIONAL_INPUT_FIELD_ADDED]: [
    /^An optional field (\w+) on input type (\w+) was added\.$/,
    ([field, type]) => ({ coordinate: `${type}.${field}`, reason: 'optional input field added' }),
  ],
  [DangerousChangeType.OPTIONAL_ARG_ADDED]: [
    /^An optional arg (\w+) on (\w+)\.(\w+) was added\.$/,
    ([arg, type, field]) => ({ coordinate: `${type}.${field}(${arg}:)`, reason: 'optional argument added' }),
  ],
  [DangerousChangeType.ARG_DEFAULT_VALUE_CHANGE]: [
    /^(\w+)\.(\w+) arg (\w+) (?:defaultValue was removed|has changed defaultValue from (.+) to (.+))\.$/,
    ([type, field, arg, from, to]) => ({
      coordinate: `${type}.${field}(${arg}:)`,
      reason: from === '' ? 'default value removed' : `default value changed from ${from} to ${to}: operations that omit it behave differently`,
    }),
  ],
};

function explain(type: BreakingChangeType | DangerousChangeType, description: string): Explained {
  const explainer = EXPLAINERS[type];
  const match = explainer?.[0].exec(description);
  if (explainer === undefined || match === null || match === undefined) return { coordinate: '', type, reason: description };
  const [first = '', second = '', third = '', fourth = '', fifth = ''] = match.slice(1);
  return { type, ...explainer[1]([first, second, third, fourth, fifth]) };
}

function typeChange(from: string, to: string): string {
  if (to === `${from}!`) return `became non-null (${from} → ${to}): callers that omit it or pass null now fail`;
  if (from === `${to}!`) return `became nullable (${from} → ${to}): clients may now receive null`;
  return `type changed from ${from} to ${to}`;
}

/** Types and fields the new schema has and the old one lacks (graphql-js reports only what could break). */
function additions(oldSchema: GraphQLSchema, newSchema: GraphQLSchema): Explained[] {
  const added: Explained[] = [];
  for (const [name, type] of Object.entries(newSchema.getTypeMap())) {
    if (name.startsWith('__') || isSpecifiedScalarType(type)) continue;
    const old = oldSchema.getType(name);
    if (old === undefined) {
      added.push({ coordinate: name, type: 'TYPE_ADDED', reason: 'type added' });
      continue;
    }
    // New input fields are reported by findDangerousChanges already.
    if ((isObjectType(type) && isObjectType(old)) || (isInterfaceType(type) && isInterfaceType(old))) {
      const oldFields = old.getFields();
      for (const field of Object.keys(type.getFields()))
        if (!(field in oldFields)) added.push({ coordinate: `${name}.${field}`, type: 'FIELD_ADDED', reason: 'field added' });
    }
  }
  return added;
}

interface LinkedSpecs {
  /** Prefixes of the types and directives linked specs bring in (`join__`, `link__`, ...). */
  readonly prefixes: readonly string[];
  /** The local names of `@inaccessible` and federation's `@join__*` directives. */
  readonly inaccessible: string;
  readonly join: string;
}

/** Reads the `@link`s on the supergraph's schema definition, honouring `as:` renames. */
function linkedSpecs(document: DocumentNode): LinkedSpecs {
  const names = new Map<string, string>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const directive of definition.directives ?? []) {
      if (directive.name.value !== 'link') continue;
      const url = stringArgument(directive, 'url');
      const spec = url === undefined ? undefined : /\/([^/]+)\/v[\d.]+$/.exec(url)?.[1];
      if (spec !== undefined) names.set(spec, stringArgument(directive, 'as') ?? spec);
    }
  }
  return {
    prefixes: [...new Set(['link', 'join', ...names.values()])].map((name) => `${name}__`),
    inaccessible: names.get('inaccessible') ?? 'inaccessible',
    join: names.get('join') ?? 'join',
  };
}

/**
 * The schema clients see: no `@inaccessible` element, no linked-spec types, and only
 * directives a client can put in an operation.
 */
function apiSchemaOf(document: DocumentNode): GraphQLSchema {
  const specs = linkedSpecs(document);
  const isSpecName = (name: string): boolean => specs.prefixes.some((prefix) => name.startsWith(prefix));
  const hidden = (node: ASTNode): boolean => 'directives' in node && (node.directives ?? []).some((directive) => directive.name.value === specs.inaccessible);
  const removedTypes = new Set(
    document.definitions.filter((definition) => nameOf(definition) !== '' && (hidden(definition) || isSpecName(nameOf(definition)))).map(nameOf),
  );
  const definitions = document.definitions.filter((definition: DefinitionNode) => {
    if (definition.kind === Kind.DIRECTIVE_DEFINITION) return definition.locations.some((location) => EXECUTABLE_LOCATIONS.has(location.value));
    return !removedTypes.has(nameOf(definition));
  });
  const api = visit(
    { kind: Kind.DOCUMENT, definitions },
    {
      enter(node: ASTNode) {
        if (hidden(node)) return null;
        if ((node.kind === Kind.OBJECT_TYPE_DEFINITION || node.kind === Kind.INTERFACE_TYPE_DEFINITION) && node.interfaces !== undefined) {
          return { ...node, interfaces: node.interfaces.filter((iface) => !removedTypes.has(iface.name.value)) };
        }
        if (node.kind === Kind.UNION_TYPE_DEFINITION && node.types !== undefined)
          return { ...node, types: node.types.filter((member) => !removedTypes.has(member.name.value)) };
        return undefined;
      },
      // The API schema carries no type-system directives: federation's are gone, and the rest do not change what clients may send.
      Directive: () => null,
    },
  );
  return buildASTSchema(api, { assumeValidSDL: true });
}

const EXECUTABLE_LOCATIONS = new Set([
  'QUERY',
  'MUTATION',
  'SUBSCRIPTION',
  'FIELD',
  'FRAGMENT_DEFINITION',
  'FRAGMENT_SPREAD',
  'INLINE_FRAGMENT',
  'VARIABLE_DEFINITION',
]);

/** A definition's name; '' for one without: a schema definition, or an anonymous operation, whose parsed node holds `name: undefined`. */
function nameOf(definition: DefinitionNode): string {
  return 'name' in definition ? ((definition.name as NameNode | undefined)?.value ?? '') : '';
}

/**
 * Which subgraphs define each type, field and enum value, read from the supergraph's
 * `@join__type`, `@join__field` and `@join__enumValue`. An external field belongs to
 * the subgraph that resolves it, not to those that only reference it.
 */
function ownersOf(document: DocumentNode): Map<string, string[]> {
  const { join } = linkedSpecs(document);
  const graphNames = new Map<string, string>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== `${join}__Graph`) continue;
    for (const value of definition.values ?? []) {
      const directive = value.directives?.find((d) => d.name.value === `${join}__graph`);
      const name = directive === undefined ? undefined : stringArgument(directive, 'name');
      graphNames.set(value.name.value, name ?? value.name.value.toLowerCase());
    }
  }
  const graphsOf = (directives: readonly DirectiveNode[] | undefined, directiveName: string): string[] =>
    (directives ?? [])
      .filter((directive) => directive.name.value === `${join}__${directiveName}` && !booleanArgument(directive, 'external'))
      .map((directive) => directive.arguments?.find((argument) => argument.name.value === 'graph')?.value)
      .flatMap((value) => (value?.kind === Kind.ENUM ? [graphNames.get(value.value) ?? value.value] : []));
  const owners = new Map<string, string[]>();
  for (const definition of document.definitions) {
    const typeName = nameOf(definition);
    if (typeName === '' || !('directives' in definition)) continue;
    const typeOwners = graphsOf(definition.directives, 'type');
    owners.set(typeName, typeOwners);
    const members =
      definition.kind === Kind.OBJECT_TYPE_DEFINITION ||
      definition.kind === Kind.INTERFACE_TYPE_DEFINITION ||
      definition.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION
        ? (definition.fields ?? []).map((field) => ({ name: field.name.value, graphs: graphsOf(field.directives, 'field') }))
        : definition.kind === Kind.ENUM_TYPE_DEFINITION
          ? (definition.values ?? []).map((value) => ({ name: value.name.value, graphs: graphsOf(value.directives, 'enumValue') }))
          : [];
    for (const member of members) owners.set(`${typeName}.${member.name}`, member.graphs.length > 0 ? member.graphs : typeOwners);
  }
  return owners;
}

function stringArgument(directive: DirectiveNode, name: string): string | undefined {
  const value = directive.arguments?.find((argument) => argument.name.value === name)?.value;
  return value?.kind === Kind.STRING ? value.value : undefined;
}

function booleanArgument(directive: DirectiveNode, name: string): boolean {
  const value = directive.arguments?.find((argument) => argument.name.value === name)?.value;
  return value?.kind === Kind.BOOLEAN && value.value;
}
