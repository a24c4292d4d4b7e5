import { Kind, type ConstDirectiveNode, type DocumentNode } from 'graphql';

/**
 * The name a directive of a `@link`ed spec goes by in a schema, following the
 * link spec: its import (possibly renamed with `as`), the spec's own name for
 * the directive named like the spec, else `spec__directive`. `undefined` when
 * no `@link` has a URL starting with `specUrlPrefix`.
 */
export function linkedDirectiveName(document: DocumentNode, specUrlPrefix: string, directive: string): string | undefined {
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of definition.directives ?? []) {
      if (link.name.value !== 'link') continue;
      const url = stringArgument(link, 'url');
      if (!url?.startsWith(specUrlPrefix)) continue;
      return nameUnder(link, url, directive);
    }
  }
  return undefined;
}

/** Whether a `@link` names a spec whose URL starts with one of `specUrlPrefixes`. */
export function linksOneOf(link: ConstDirectiveNode, specUrlPrefixes: readonly string[]): boolean {
  const url = stringArgument(link, 'url') ?? '';
  return specUrlPrefixes.some((prefix) => url.startsWith(prefix));
}

export function stringArgument(directive: ConstDirectiveNode, name: string): string | undefined {
  const value = directive.arguments?.find((arg) => arg.name.value === name)?.value;
  return value?.kind === Kind.STRING ? value.value : undefined;
}

function nameUnder(link: ConstDirectiveNode, url: string, directive: string): string {
  const imports = link.arguments?.find((arg) => arg.name.value === 'import')?.value;
  if (imports?.kind === Kind.LIST) {
    for (const entry of imports.values) {
      if (entry.kind === Kind.STRING && entry.value === `@${directive}`) return directive;
      if (entry.kind !== Kind.OBJECT) continue;
      const name = entry.fields.find((f) => f.name.value === 'name')?.value;
      const as = entry.fields.find((f) => f.name.value === 'as')?.value;
      if (name?.kind === Kind.STRING && name.value === `@${directive}`) return as?.kind === Kind.STRING ? as.value.replace(/^@/, '') : directive;
    }
  }
  const specName = specNameOf(url) ?? directive;
  const prefix = stringArgument(link, 'as') ?? specName;
  return directive === specName ? prefix : `${prefix}__${directive}`;
}

/** A spec's name: its URL's last path segment before the version (…/cost/v0.1 is "cost"). */
export function specNameOf(url: string): string | undefined {
  return /\/([^/]+)\/v[\d.]+\/?$/.exec(url)?.[1];
}
