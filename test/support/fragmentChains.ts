import { Kind, parse, type DocumentNode } from 'graphql';

/**
 * A document whose fragments each spread the next one twice (once directly,
 * once inside an inline fragment), `steps` times, ending in `leaf`: cheap to
 * parse and validate, and 2^steps times larger once expanded.
 */
export function doublingChain(steps: number, leaf: string, options: { on?: string; root?: string } = {}): string {
  const on = options.on ?? 'Query';
  const fragments = Array.from({ length: steps }, (_, i) => `fragment F${i} on ${on} { ...F${i + 1} ... on ${on} { ...F${i + 1} } }`);
  return `query Chain { ${options.root ?? '...F0'} }\n${fragments.join('\n')}\nfragment F${steps} on ${on} { ${leaf} }`;
}

/** How many selections `doublingChain(steps, leaf)` expands to, when the leaf holds `leafSelections`. */
export function expandedChainSelections(steps: number, leafSelections: number): number {
  let selections = leafSelections;
  for (let i = 0; i < steps; i += 1) selections = 3 + 2 * selections;
  return selections;
}

export interface CountedDocument {
  readonly document: DocumentNode;
  /** Selection sets in the document as written. */
  readonly selectionSets: number;
  /** How often any walk has read a selection set's `selections` so far. */
  reads(): number;
}

/**
 * Parses a document whose selection sets count every read of their
 * `selections`: the work a walk does, measured without a clock. A walk that
 * expands fragments per path reads a chain's last fragment 2^steps times; a
 * linear one reads each selection set a few times at most.
 */
export function countingSelectionReads(source: string): CountedDocument {
  let reads = 0;
  let selectionSets = 0;
  const wrap = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(wrap);
    if (typeof value !== 'object' || value === null) return value;
    const copy: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) copy[key] = key === 'loc' ? child : wrap(child);
    if (copy['kind'] !== Kind.SELECTION_SET) return copy;
    selectionSets += 1;
    return new Proxy(copy, {
      get(target, property, receiver) {
        if (property === 'selections') reads += 1;
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
  };
  const document = wrap(parse(source)) as DocumentNode;
  return { document, selectionSets, reads: () => reads };
}
