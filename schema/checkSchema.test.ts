import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACCEPTED_CHANGES_PATH, readAcceptedChanges, type AcceptedChange } from './acceptedChanges.js';
import { checkSchema, formatSchemaCheck, subgraphsNamedIn } from './checkSchema.js';
import { composeSupergraph } from './composeSupergraph.js';
import type { SubgraphEntry } from './registry.js';
import { findSchemaChanges } from './schemaChanges.js';

function entry(name: string, file: string): SubgraphEntry {
  return { name, port: 4100, routingUrl: `http://${name}:4100/graphql`, schemaPath: fileURLToPath(new URL(`./testdata/${file}`, import.meta.url)), peers: [] };
}

function supergraph(entries: readonly SubgraphEntry[]): string {
  const result = composeSupergraph(entries);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.supergraphSdl;
}

const BASE = [entry('shop', 'check/shop.graphql'), entry('stock', 'check/stock.graphql')];
const BREAKING = [entry('shop', 'check/shop-breaking.graphql'), entry('stock', 'check/stock-breaking.graphql')];
const SAFE = [entry('shop', 'check/shop-safe.graphql'), entry('stock', 'check/stock.graphql')];
const baseSdl = supergraph(BASE);

describe('schema changes between two supergraphs', () => {
  it('names each break a client would hit, with its subgraph and coordinate', () => {
    expect(findSchemaChanges(baseSdl, supergraph(BREAKING))).toEqual([
      { severity: 'breaking', coordinate: 'Discount', subgraphs: ['shop'], type: 'TYPE_REMOVED', reason: 'type removed' },
      { severity: 'breaking', coordinate: 'Product.inStock', subgraphs: ['stock'], type: 'FIELD_REMOVED', reason: 'field removed' },
      { severity: 'breaking', coordinate: 'Product.rating', subgraphs: ['shop'], type: 'FIELD_CHANGED_KIND', reason: 'type changed from Int to Float' },
      {
        severity: 'breaking',
        coordinate: 'ProductFilter.category',
        subgraphs: ['shop'],
        type: 'FIELD_CHANGED_KIND',
        reason: 'became non-null (String → String!): callers that omit it or pass null now fail',
      },
      { severity: 'breaking', coordinate: 'Query.discount', subgraphs: ['shop'], type: 'FIELD_REMOVED', reason: 'field removed' },
      { severity: 'breaking', coordinate: 'Query.products(after:)', subgraphs: ['shop'], type: 'ARG_REMOVED', reason: 'argument removed' },
      {
        severity: 'breaking',
        coordinate: 'Query.products(first:)',
        subgraphs: ['shop'],
        type: 'ARG_CHANGED_KIND',
        reason: 'became non-null (Int → Int!): callers that omit it or pass null now fail',
      },
      { severity: 'breaking', coordinate: 'Status.DISCONTINUED', subgraphs: ['shop'], type: 'VALUE_REMOVED_FROM_ENUM', reason: 'enum value removed' },
    ]);
  });

  it('reports additions as safe and a new enum value as dangerous, never as breaking', () => {
    expect(findSchemaChanges(baseSdl, supergraph(SAFE))).toEqual([
      {
        severity: 'dangerous',
        coordinate: 'Status.PREORDER',
        subgraphs: ['shop'],
        type: 'VALUE_ADDED_TO_ENUM',
        reason: 'enum value added: clients that handle every value meet one they do not know',
      },
      { severity: 'safe', coordinate: 'Brand', subgraphs: ['shop'], type: 'TYPE_ADDED', reason: 'type added' },
      { severity: 'safe', coordinate: 'Product.brand', subgraphs: ['shop'], type: 'FIELD_ADDED', reason: 'field added' },
      { severity: 'safe', coordinate: 'ProductFilter.brand', subgraphs: ['shop'], type: 'OPTIONAL_INPUT_FIELD_ADDED', reason: 'optional input field added' },
      { severity: 'safe', coordinate: 'Query.brands', subgraphs: ['shop'], type: 'FIELD_ADDED', reason: 'field added' },
      { severity: 'safe', coordinate: 'Query.products(sort:)', subgraphs: ['shop'], type: 'OPTIONAL_ARG_ADDED', reason: 'optional argument added' },
    ]);
  });

  it('reports a field going from nullable to non-null in a response as breaking the other way round only', () => {
    const widened = findSchemaChanges(supergraph(BREAKING), baseSdl).filter((change) => change.coordinate === 'Product.name');
    expect(widened).toEqual([
      {
        severity: 'breaking',
        coordinate: 'Product.name',
        subgraphs: ['shop'],
        type: 'FIELD_BECAME_NULLABLE',
        reason: 'became nullable (String! → String): clients may now receive null',
      },
    ]);
  });

  it('warns, without failing, when a built-in scalar falls out of use with the field that used it', () => {
    const changes = findSchemaChanges(supergraph(BREAKING), baseSdl).filter(
      (change) => change.coordinate === 'Float' || change.coordinate === 'Product.rating',
    );
    expect(changes).toEqual([
      { severity: 'breaking', coordinate: 'Product.rating', subgraphs: ['shop'], type: 'FIELD_CHANGED_KIND', reason: 'type changed from Float to Int' },
      { severity: 'dangerous', coordinate: 'Float', subgraphs: [], type: 'TYPE_REMOVED', reason: 'built-in scalar no longer used by any field' },
    ]);
  });

  it('ignores @inaccessible fields, which clients never see', () => {
    expect(findSchemaChanges(baseSdl, supergraph(BREAKING)).map((change) => change.coordinate)).not.toContain('Product.legacyCode');
  });
});

describe('schema:check', () => {
  it('passes when the committed supergraph is what the subgraphs compose to', () => {
    const report = checkSchema({ entries: BASE, committedSdl: baseSdl });
    expect(report).toEqual({ compositionErrors: [], changes: [], upToDate: true, comparedWith: 'committed', baselineProblem: undefined, ok: true });
    expect(formatSchemaCheck(report, { supergraphFile: 'schema/supergraph.graphql', baselineName: 'the committed supergraph' })).toEqual([
      '✓ The subgraphs compose to schema/supergraph.graphql; no schema changes.',
    ]);
  });

  it('fails on additions the committed supergraph lacks, and says to recompose', () => {
    const report = checkSchema({ entries: SAFE, committedSdl: baseSdl });
    expect({ ok: report.ok, upToDate: report.upToDate, severities: [...new Set(report.changes.map((change) => change.severity))] }).toEqual({
      ok: false,
      upToDate: false,
      severities: ['dangerous', 'safe'],
    });
    expect(formatSchemaCheck(report, { supergraphFile: 'schema/supergraph.graphql', baselineName: 'the committed supergraph' })).toEqual([
      'warning  [shop] Status.PREORDER: enum value added: clients that handle every value meet one they do not know',
      'info     [shop] Brand: type added',
      'info     [shop] Product.brand: field added',
      'info     [shop] ProductFilter.brand: optional input field added',
      'info     [shop] Query.brands: field added',
      'info     [shop] Query.products(sort:): optional argument added',
      '',
      '✗ schema/supergraph.graphql is not what the subgraphs compose to. Fix: npm run compose',
    ]);
  });

  it('fails on a breaking change, naming subgraph, coordinate and reason on each line', () => {
    const report = checkSchema({ entries: BREAKING, committedSdl: baseSdl });
    expect(report.ok).toBe(false);
    const lines = formatSchemaCheck(report, { supergraphFile: 'schema/supergraph.graphql', baselineName: 'the committed supergraph' });
    expect(lines.slice(0, 2)).toEqual(['BREAKING [shop] Discount: type removed', 'BREAKING [stock] Product.inStock: field removed']);
    expect(lines).toContain('✗ 8 breaking change(s) against the committed supergraph: operations clients send today would fail.');
  });

  it('with a base, a break still fails after the committed supergraph was recomposed', () => {
    const breakingSdl = supergraph(BREAKING);
    expect(checkSchema({ entries: BREAKING, committedSdl: breakingSdl }).ok).toBe(true);
    const report = checkSchema({ entries: BREAKING, committedSdl: breakingSdl, baseSdl });
    expect({
      ok: report.ok,
      upToDate: report.upToDate,
      comparedWith: report.comparedWith,
      breaking: report.changes.filter((c) => c.severity === 'breaking').length,
    }).toEqual({
      ok: false,
      upToDate: true,
      comparedWith: 'base',
      breaking: 8,
    });
  });

  it('with a base, safe changes pass once the committed supergraph is recomposed', () => {
    const report = checkSchema({ entries: SAFE, committedSdl: supergraph(SAFE), baseSdl });
    expect({ ok: report.ok, changes: report.changes.length }).toEqual({ ok: true, changes: 6 });
  });

  it('fails when the committed supergraph is missing', () => {
    expect(checkSchema({ entries: BASE, committedSdl: undefined })).toMatchObject({ upToDate: false, ok: false, changes: [] });
  });

  it('fails on a composition error, naming the subgraphs involved', () => {
    const report = checkSchema({ entries: [...BASE, entry('catalog', 'conflicting-product.graphql')], committedSdl: baseSdl });
    expect(report.ok).toBe(false);
    expect(report.compositionErrors.length).toBeGreaterThan(0);
    expect(report.compositionErrors.every((error) => error.subgraphs.includes('catalog'))).toBe(true);
    const lines = formatSchemaCheck(report, { supergraphFile: 'schema/supergraph.graphql', baselineName: 'the committed supergraph' });
    expect(lines[0]).toMatch(/^ERROR {4}\[.*catalog.*\] composition: /);
  });
});

describe('schema:check with reviewed, accepted breaks', () => {
  // BREAKING → BASE makes Product.name nullable again and changes Product.rating's type, among others.
  const before = supergraph(BREAKING);
  const nullableName: AcceptedChange = { coordinate: 'Product.name', change: 'FIELD_BECAME_NULLABLE', reason: 'null while the catalog is down' };
  const check = (acceptedChanges: readonly AcceptedChange[]) => checkSchema({ entries: BASE, committedSdl: baseSdl, baseSdl: before, acceptedChanges });
  const breaks = (report: ReturnType<typeof check>) => report.changes.filter((change) => change.severity === 'breaking');

  it('passes when every break is on the allow-list, and prints each with its reason', () => {
    const accepted = breaks(check([])).map((change) => ({ coordinate: change.coordinate, change: change.type, reason: `reviewed: ${change.coordinate}` }));
    expect(accepted.length).toBeGreaterThan(1);
    const report = check(accepted);
    expect(report.ok).toBe(true);
    const lines = formatSchemaCheck(report, { supergraphFile: 'schema/supergraph.graphql', baselineName: 'schema/supergraph.graphql at main' });
    expect(lines).toContain(
      'accepted [shop] Product.name: became nullable (String! → String): clients may now receive null (accepted as FIELD_BECAME_NULLABLE: reviewed: Product.name)',
    );
    expect(lines.at(-1)).toBe(
      `✓ No breaking changes against schema/supergraph.graphql at main but the ${accepted.length} accepted in schema/accepted-changes.json.`,
    );
  });

  it('still refuses every break the allow-list does not name', () => {
    const report = check([nullableName]);
    expect(report.ok).toBe(false);
    expect(
      breaks(report)
        .filter((change) => change.acceptedBecause !== undefined)
        .map((change) => change.coordinate),
    ).toEqual(['Product.name']);
    const lines = formatSchemaCheck(report, { supergraphFile: 'schema/supergraph.graphql', baselineName: 'schema/supergraph.graphql at main' });
    expect(lines).toContain(
      `✗ ${breaks(report).length - 1} breaking change(s) against schema/supergraph.graphql at main: operations clients send today would fail.`,
    );
    expect(lines).toContain('BREAKING [shop] Product.rating: type changed from Float to Int');
  });

  it('accepts a coordinate only for the kind of change it names', () => {
    const report = check([{ coordinate: 'Product.rating', change: 'FIELD_BECAME_NULLABLE', reason: 'not what happened' }]);
    expect(report.changes.find((change) => change.coordinate === 'Product.rating')).toMatchObject({ severity: 'breaking', type: 'FIELD_CHANGED_KIND' });
    expect(report.changes.find((change) => change.coordinate === 'Product.rating')?.acceptedBecause).toBeUndefined();
    expect(report.ok).toBe(false);
  });

  it('reads the checked-in allow-list, and refuses an entry without a reason', () => {
    const committed = readAcceptedChanges(ACCEPTED_CHANGES_PATH);
    expect(committed).toContainEqual(expect.objectContaining({ coordinate: 'Product.reviews', change: 'FIELD_BECAME_NULLABLE' }));
    const dir = mkdtempSync(join(tmpdir(), 'accepted-changes-'));
    try {
      const file = join(dir, 'accepted-changes.json');
      writeFileSync(file, JSON.stringify({ accepted: [{ coordinate: 'Product.reviews', change: 'FIELD_BECAME_NULLABLE', reason: ' ' }] }));
      expect(() => readAcceptedChanges(file)).toThrow(`${file}: accepted[0].reason must be a non-empty string`);
      expect(readAcceptedChanges(join(dir, 'missing.json'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('subgraphsNamedIn', () => {
  it('finds registered subgraphs however composition names them', () => {
    const names = ['products', 'catalog', 'reviews'];
    expect(subgraphsNamedIn('[KEY_INVALID_FIELDS] [catalog] On type "Foo" ...', names)).toEqual(['catalog']);
    expect(subgraphsNamedIn('Non-shareable field "Product.name" is resolved from subgraphs "catalog" and "products"', names)).toEqual(['products', 'catalog']);
    expect(subgraphsNamedIn('it has type "Int!" in subgraph "products" but type "String!" in subgraph "catalog"', names)).toEqual(['products', 'catalog']);
    expect(subgraphsNamedIn('reviews: /x/schema.graphql: Syntax Error', names)).toEqual(['reviews']);
    expect(subgraphsNamedIn('field "products" is odd', names)).toEqual([]);
  });
});
