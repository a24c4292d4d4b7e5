import { DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES } from '@apollo/federation-internals';
import { Kind, type DocumentNode } from 'graphql';
import { specNameOf, stringArgument } from './linkedDirectiveName.js';

/** Specs the edge enforces itself and removes before @apollo/gateway sees the supergraph. */
const ENFORCED_AT_THE_EDGE = ['https://specs.apollo.dev/authenticated/', 'https://specs.apollo.dev/requiresScopes/'];

/** Why the features a supergraph may link for SECURITY or EXECUTION cannot be served, where more can be said. */
const WHY: Readonly<Record<string, string>> = {
  context: "@context and @fromContext fill arguments from enclosing types, which @apollo/gateway, running Supergate's query plans, does not do",
  policy: '@policy needs a policy engine to decide; Supergate enforces @authenticated and @requiresScopes',
  connect: '@connect (Apollo Connectors) calls REST APIs from Apollo Router, which Supergate is not',
};

/**
 * Each feature the supergraph links with `for: SECURITY` or `for: EXECUTION` that neither
 * @apollo/gateway nor the edge implements, saying why. A client of such a supergraph would
 * get wrong answers or skip a check, so it is not served (the link spec asks as much).
 */
export function unservableFeatures(document: DocumentNode): string[] {
  const problems: string[] = [];
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of definition.directives ?? []) {
      if (link.name.value !== 'link') continue;
      const url = stringArgument(link, 'url');
      const purpose = link.arguments?.find((arg) => arg.name.value === 'for')?.value;
      if (url === undefined || purpose?.kind !== Kind.ENUM) continue;
      if (DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES.has(url) || ENFORCED_AT_THE_EDGE.some((prefix) => url.startsWith(prefix))) continue;
      const name = specNameOf(url) ?? url;
      problems.push(`${url} (for: ${purpose.value}): ${WHY[name] ?? `Supergate does not implement ${name}`}`);
    }
  }
  return problems;
}
