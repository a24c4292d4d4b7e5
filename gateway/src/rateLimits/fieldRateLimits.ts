import { Kind, parse, type ConstDirectiveNode, type ConstValueNode, type DirectiveDefinitionNode } from 'graphql';
import type { RateLimitArgs } from 'graphql-rate-limit-directive';
import { linkedDirectiveName } from '../supergraph/linkedDirectiveName.js';

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
  const name = linkedDirectiveName(document, RATE_LIMIT_SPEC_URL.replace(/v[\d.]+$/, ''), 'rateLimit');
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

function defaultOf(definition: DirectiveDefinitionNode | undefined, argument: string): number | undefined {
  const value = definition?.arguments?.find((arg) => arg.name.value === argument)?.defaultValue;
  return value === undefined ? undefined : intValue(value);
}

function intValue(value: ConstValueNode): number | undefined {
  return value.kind === Kind.INT ? Number(value.value) : undefined;
}
