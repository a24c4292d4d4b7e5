import {
  Kind,
  parse,
  print,
  visit,
  type ConstDirectiveNode,
  type ConstValueNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type TypeDefinitionNode,
  type TypeExtensionNode,
} from 'graphql';
import { linkedDirectiveName, linksOneOf } from '../supergraph/linkedDirectiveName.js';

/** What a caller needs to read one field or type: any one of `anyOf`'s scope sets, in full. */
export interface Requirement {
  readonly authenticated: boolean;
  /** Empty when no scopes are required; otherwise the caller must hold every scope of at least one set. */
  readonly anyOf: readonly (readonly string[])[];
}

export interface SecurityRequirements {
  /** Requirements by field coordinate (`Type.field`) and by type name. */
  readonly byCoordinate: ReadonlyMap<string, Requirement>;
  /** The supergraph without the SECURITY features, which @apollo/gateway refuses to load. */
  readonly gatewaySupergraphSdl: string;
}

const SECURITY_SPECS = { authenticated: 'https://specs.apollo.dev/authenticated/', requiresScopes: 'https://specs.apollo.dev/requiresScopes/' };

/**
 * Reads `@authenticated` and `@requiresScopes` from a composed supergraph and
 * returns them with a copy of the supergraph that no longer links them.
 */
export function readSecurityRequirements(supergraphSdl: string): SecurityRequirements {
  const document = parse(supergraphSdl);
  const names = {
    authenticated: linkedDirectiveName(document, SECURITY_SPECS.authenticated, 'authenticated'),
    requiresScopes: linkedDirectiveName(document, SECURITY_SPECS.requiresScopes, 'requiresScopes'),
  };
  const requirements = new Map<string, Requirement>();
  if (names.authenticated === undefined && names.requiresScopes === undefined) {
    return { byCoordinate: requirements, gatewaySupergraphSdl: supergraphSdl };
  }
  const record = (coordinate: string, directives: readonly ConstDirectiveNode[] | undefined): void => {
    let authenticated = false;
    const anyOf: string[][] = [];
    for (const directive of directives ?? []) {
      if (directive.name.value === names.authenticated) authenticated = true;
      if (directive.name.value === names.requiresScopes) anyOf.push(...scopeSets(directive));
    }
    if (!authenticated && anyOf.length === 0) return;
    const previous = requirements.get(coordinate);
    requirements.set(coordinate, {
      authenticated: authenticated || (previous?.authenticated ?? false) || anyOf.length > 0,
      anyOf: [...(previous?.anyOf ?? []), ...anyOf],
    });
  };
  for (const definition of document.definitions) {
    if (!isTypeDefinitionOrExtension(definition)) continue;
    record(definition.name.value, definition.directives);
    if ('fields' in definition) {
      for (const field of (definition.fields ?? []) as readonly FieldDefinitionNode[]) record(`${definition.name.value}.${field.name.value}`, field.directives);
    }
  }
  const securityNames = new Set([names.authenticated, names.requiresScopes].filter((name): name is string => name !== undefined));
  const stripped = visit(document, {
    Directive(node) {
      if (securityNames.has(node.name.value)) return null;
      if (node.name.value === 'link' && linksOneOf(node as ConstDirectiveNode, Object.values(SECURITY_SPECS))) return null;
      return undefined;
    },
    DirectiveDefinition(node) {
      return securityNames.has(node.name.value) ? null : undefined;
    },
    ScalarTypeDefinition(node) {
      return node.name.value.startsWith('requiresScopes__') ? null : undefined;
    },
  });
  return { byCoordinate: requirements, gatewaySupergraphSdl: print(stripped) };
}

function scopeSets(directive: ConstDirectiveNode): string[][] {
  const value = directive.arguments?.find((arg) => arg.name.value === 'scopes')?.value;
  if (value?.kind !== Kind.LIST) return [];
  return value.values.map((set: ConstValueNode) => (set.kind === Kind.LIST ? set.values.flatMap((s) => (s.kind === Kind.STRING ? [s.value] : [])) : []));
}

function isTypeDefinitionOrExtension(node: DocumentNode['definitions'][number]): node is TypeDefinitionNode | TypeExtensionNode {
  return (
    node.kind === Kind.OBJECT_TYPE_DEFINITION ||
    node.kind === Kind.OBJECT_TYPE_EXTENSION ||
    node.kind === Kind.INTERFACE_TYPE_DEFINITION ||
    node.kind === Kind.INTERFACE_TYPE_EXTENSION ||
    node.kind === Kind.SCALAR_TYPE_DEFINITION ||
    node.kind === Kind.ENUM_TYPE_DEFINITION
  );
}
