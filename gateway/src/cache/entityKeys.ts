import { Kind, parse, type ConstDirectiveNode } from 'graphql';

/**
 * Each entity type's key fields, from the supergraph's `@join__type(key:)`
 * (the first simple key of each type; nested keys are left out, so such types
 * are not tagged).
 */
export function readEntityKeys(supergraphSdl: string): ReadonlyMap<string, readonly string[]> {
  const keys = new Map<string, readonly string[]>();
  for (const definition of parse(supergraphSdl).definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    for (const directive of definition.directives ?? []) {
      const fields = keyArgument(directive);
      if (fields === undefined || /[{}]/.test(fields) || keys.has(definition.name.value)) continue;
      keys.set(
        definition.name.value,
        fields.split(/[\s,]+/).filter((field) => field !== ''),
      );
    }
  }
  return keys;
}

function keyArgument(directive: ConstDirectiveNode): string | undefined {
  if (directive.name.value !== 'join__type') return undefined;
  const key = directive.arguments?.find((arg) => arg.name.value === 'key')?.value;
  return key?.kind === Kind.STRING ? key.value : undefined;
}
