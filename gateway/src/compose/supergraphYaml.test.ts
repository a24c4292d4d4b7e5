import { describe, expect, it } from 'vitest';
import { parseSupergraphConfig, SupergraphConfigError } from './supergraphYaml.js';

const PATH = '/project/graph/supergraph.yaml';

function problemsOf(text: string): readonly string[] {
  try {
    parseSupergraphConfig(PATH, text);
  } catch (error) {
    if (error instanceof SupergraphConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("a supergraph.yaml in rover's format", () => {
  it('lists each subgraph in order with its routing URL and SDL source, files relative to the yaml file', () => {
    const config = parseSupergraphConfig(
      PATH,
      `
federation_version: =2.14.4
subgraphs:
  products:
    routing_url: http://products:4001/graphql
    schema:
      file: ./products.graphql
  reviews:
    schema:
      subgraph_url: http://reviews:4002/graphql
      introspection_headers:
        Authorization: Bearer abc
  inline:
    routing_url: https://inline.example/graphql
    schema:
      sdl: "type Query { hello: String }"
    team: search
`,
    );
    expect(config).toEqual({
      path: PATH,
      federationVersion: '=2.14.4',
      subgraphs: [
        { name: 'products', routingUrl: 'http://products:4001/graphql', schema: { kind: 'file', path: '/project/graph/products.graphql' }, extra: {} },
        {
          name: 'reviews',
          routingUrl: 'http://reviews:4002/graphql',
          schema: { kind: 'introspection', url: 'http://reviews:4002/graphql', headers: { Authorization: 'Bearer abc' } },
          extra: {},
        },
        {
          name: 'inline',
          routingUrl: 'https://inline.example/graphql',
          schema: { kind: 'sdl', sdl: 'type Query { hello: String }' },
          extra: { team: 'search' },
        },
      ],
    });
  });

  it('takes federation_version as 2, latest-2 or =2.x.y, or leaves it out', () => {
    for (const version of ['2', 'latest-2', '=2.3.2', '2.14.4']) {
      expect(
        parseSupergraphConfig(PATH, `federation_version: ${version}\nsubgraphs:\n  a:\n    routing_url: http://a/graphql\n    schema:\n      file: a.graphql\n`)
          .federationVersion,
      ).toBe(version);
    }
    expect(
      parseSupergraphConfig(PATH, 'subgraphs:\n  a:\n    routing_url: http://a/graphql\n    schema:\n      file: a.graphql\n').federationVersion,
    ).toBeUndefined();
  });

  it('names every problem at once, each with the key at fault', () => {
    expect(
      problemsOf(`
federation_version: 1
subgraphs:
  noUrl:
    schema:
      file: a.graphql
  studio:
    routing_url: http://studio/graphql
    schema:
      graphref: shop@current
      subgraph: studio
  both:
    routing_url: http://both/graphql
    schema:
      file: b.graphql
      sdl: "type Query { b: String }"
  expanded:
    routing_url: \${env.EXPANDED_URL}
    schema:
      file: c.graphql
`),
    ).toEqual([
      'federation_version 1 asks for Federation 1 composition, which Supergate does not do; set it to 2 (Federation 1 subgraph schemas compose under Federation 2 too)',
      "subgraphs.noUrl.routing_url is required: where the gateway sends this subgraph's requests",
      'subgraphs.studio.schema.graphref fetches the SDL from Apollo GraphOS, which Supergate does not reach; save it to a file (`rover subgraph fetch shop@current --name studio > schema.graphql`) and use schema.file',
      'subgraphs.both.schema must have exactly one of file, subgraph_url or sdl; it has file and sdl',
      'subgraphs.expanded.routing_url must be an absolute http(s) URL (Supergate does not expand ${env.NAME}: write the value itself); got "${env.EXPANDED_URL}"',
    ]);
  });

  it('refuses a file that is not YAML, not a map, or lists no subgraphs', () => {
    expect(problemsOf('subgraphs: [')[0]).toMatch(/^is not valid YAML: /);
    expect(problemsOf('- a\n- b\n')).toEqual(['must be a map with federation_version and subgraphs']);
    expect(problemsOf('federation_version: 3\nsubgraphs: {}\n')).toEqual([
      'federation_version must be 2, latest-2 or an exact =2.x.y; got "3"',
      'subgraphs must map each subgraph name to its routing_url and schema',
    ]);
  });
});
