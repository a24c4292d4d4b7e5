import { Kind, parse, type ConstDirectiveNode, type ConstValueNode, type DirectiveDefinitionNode, type DocumentNode } from 'graphql';
import type { RateLimitArgs } from 'graphql-rate-limit-directive';

/** Where subgraphs import `@rateLimit` from; composition carries it into the supergraph with `@composeDirective`. */
export const RATE_LIMIT_SPEC_URL = 'https://supergate.dev/rate-limit/v1.0';

/**
 * Reads every `@rateLimit(limit, duration)` from a composed supergraph, keyed by
 * field coordinate (`Mutation.addReview`) or, when on a type, by type name (it
 * then limits each field of the type, as graphql-rate-limit-directive does).
 */
export function readFieldRateLimits(supergraphSdl: string): ReadonlyMap<string, RateLimitArgs> {
  const document = parse(supergraphSdl);
  const limits = new Map<string, RateLimitArgs>();
  const name = importedName(document);
  if (name === undefined) return limits;
  const definition = document.definitions.find((d): d is DirectiveDefinitionNode => d.kind === Kind.DIRECTIVE_DEFINITION && d.name.value === name);
  const defaults = { limit: defaultOf(definition, 'limit'), duration: defaultOf(definition, 'duration') };
  const read = (directive: ConstDirectiveNode): RateLimitArgs => {
    const args = Object.fromEntries((directive.arguments ?? []).map((arg) => [arg.name.value, intValue(arg.value)]));
    const limit = args['limit'] ?? defaults.limit;
    const duration = args['duration'] ?? defaults.duration;
    if (limit === undefined || duration === undefined || limit < 0 || duration <= 0) {
      throw new Error(`@${name} needs a non-negative limit and a positive duration`);
    }
    return { limit, duration };
  };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const typeName = definition.name.value;
    for (const directive of definition.directives ?? []) if (directive.name.value === name) limits.set(typeName, read(directive));
    for (const field of definition.fields ?? []) {
      for (const directive of field.directives ?? []) if (directive.name.value === name) limits.set(`${typeName}.${field.name.value}`, read(directive));
    }
  }
  return limits;
}

/** The limit that applies to `Type.field`: the field's own, else its type's. */
export function rateLimitFor(limits: ReadonlyMap<string, RateLimitArgs>, typeName: string, fieldName: string): RateLimitArgs | undefined {
  return limits.get(`${typeName}.${fieldName}`) ?? limits.get(typeName);
}

/** The name `@rateLimit` goes by in this supergraph (a `@link` import may rename it). */
function importedName(document: DocumentNode): string | undefined {
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of definition.directives ?? []) {
      if (link.name.value !== 'link') continue;
      const url = link.arguments?.find((arg) => arg.name.value === 'url')?.value;
      if (url?.kind !== Kind.STRING || !url.value.startsWith(RATE_LIMIT_SPEC_URL.replace(/v[\d.]+$/, ''))) continue;
      const imports = link.arguments?.find((arg) => arg.name.value === 'import')?.value;
      if (imports?.kind !== Kind.LIST) return undefined;
      for (const item of imports.values) {
        if (item.kind === Kind.STRING && item.value === '@rateLimit') return 'rateLimit';
        if (item.kind === Kind.OBJECT) {
          const field = (key: string) => item.fields.find((f) => f.name.value === key)?.value;
          const original = field('name');
          const renamed = field('as');
          if (original?.kind === Kind.STRING && original.value === '@rateLimit' && renamed?.kind === Kind.STRING) return renamed.value.replace(/^@/, '');
        }
      }
    }
  }
  return undefined;
}

function defaultOf(definition: DirectiveDefinitionNode | undefined, argument: string): number | undefined {
  const value = definition?.arguments?.find((arg) => arg.name.value === argument)?.defaultValue;
  return value === undefined ? undefined : intValue(value);
}

function intValue(value: ConstValueNode): number | undefined {
  return value.kind === Kind.INT ? Number(value.value) : undefined;
}
