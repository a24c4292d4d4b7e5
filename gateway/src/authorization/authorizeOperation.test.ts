import { composeServices } from '@apollo/composition';
import { ApolloGateway } from '@apollo/gateway';
import { parse, print, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Viewer } from '../auth/Viewer.js';
import { countingSelectionReads, doublingChain } from '../../../test/support/fragmentChains.js';
import { authorizeOperation, MAX_ERRORS } from './authorizeOperation.js';
import { readSecurityRequirements } from './securityRequirements.js';

const accounts = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@authenticated", "@requiresScopes"])
  type User @key(fields: "id") { id: ID! username: String! email: String @authenticated }
  type Query {
    user(id: ID!): User
    me: User @authenticated
    users: [User!]! @requiresScopes(scopes: [["admin"], ["support", "read"]])
  }
`);

function compose(): string {
  const result = composeServices([{ name: 'accounts', url: 'http://accounts.invalid/graphql', typeDefs: accounts }]);
  if (result.errors !== undefined) throw new Error(result.errors.map((e) => e.message).join('\n'));
  return result.supergraphSdl;
}

const supergraphSdl = compose();
const requirements = readSecurityRequirements(supergraphSdl);
const gateway = new ApolloGateway({ supergraphSdl: requirements.gatewaySupergraphSdl });
let apiSchema: GraphQLSchema;

beforeAll(async () => {
  apiSchema = (await gateway.load()).schema;
});

afterAll(async () => {
  await gateway.stop();
});
const viewer = (sub: string, ...scopes: string[]): Viewer => ({ sub, scopes: new Set(scopes) });

function authorize(query: string, who: Viewer | null) {
  const result = authorizeOperation(apiSchema, parse(query), undefined, who, requirements);
  return {
    query: result.document === null ? null : print(result.document).replace(/\s+/g, ' '),
    errors: result.errors.map((error) => ({ path: error.path, code: error.extensions['code'] })),
  };
}

describe('security requirements in the supergraph', () => {
  it('are carried by composition and read back by coordinate', () => {
    expect(supergraphSdl).toMatch(/authenticated\/v0\.1", for: SECURITY/);
    expect(Object.fromEntries(requirements.byCoordinate)).toEqual({
      'User.email': { authenticated: true, anyOf: [] },
      'Query.me': { authenticated: true, anyOf: [] },
      'Query.users': { authenticated: true, anyOf: [['admin'], ['support', 'read']] },
    });
  });

  it('are stripped from the supergraph handed to @apollo/gateway, which then loads it', async () => {
    expect(requirements.gatewaySupergraphSdl).not.toMatch(/authenticated|requiresScopes/);
    await expect(new ApolloGateway({ supergraphSdl: supergraphSdl }).load()).rejects.toThrow(/SECURITY/);
    expect(apiSchema.getQueryType()?.getFields()['me']).toBeDefined();
  });
});

describe('authorizing an operation', () => {
  it('removes what an anonymous caller may not read and keeps the rest', () => {
    expect(authorize('{ user(id: "u1") { username email } me { id } }', null)).toEqual({
      query: '{ user(id: "u1") { username } }',
      errors: [
        { path: ['user', 'email'], code: 'UNAUTHENTICATED' },
        { path: ['me'], code: 'UNAUTHENTICATED' },
      ],
    });
  });

  it('answers FORBIDDEN to a signed-in caller without any of the required scope sets', () => {
    expect(authorize('{ users { id } me { email } }', viewer('u1', 'support'))).toEqual({
      query: '{ me { email } }',
      errors: [{ path: ['users'], code: 'FORBIDDEN' }],
    });
  });

  it('lets a caller holding one full scope set through unchanged', () => {
    expect(authorize('{ users { id email } }', viewer('u1', 'support', 'read'))).toEqual({ query: '{ users { id email } }', errors: [] });
  });

  it('judges fields inside fragments at the place they are used, under their alias', () => {
    expect(authorize('query { account: me { ...F } } fragment F on User { id }', null)).toEqual({
      query: null,
      errors: [{ path: ['account'], code: 'UNAUTHENTICATED' }],
    });
    expect(authorize('query { user(id: "u1") { ...F } } fragment F on User { id mail: email }', null)).toEqual({
      query: '{ user(id: "u1") { ...F } } fragment F on User { id }',
      errors: [{ path: ['user', 'mail'], code: 'UNAUTHENTICATED' }],
    });
  });

  it('removes a fragment left empty, and its spreads, and the field left empty around them', () => {
    expect(authorize('{ user(id: "u1") { username ...E } } fragment E on User { email }', null).query).toBe('{ user(id: "u1") { username } }');
    expect(authorize('{ user(id: "u1") { ...E } me { id } } fragment E on User { email }', null)).toEqual({
      query: null,
      errors: [
        { path: ['user', 'email'], code: 'UNAUTHENTICATED' },
        { path: ['me'], code: 'UNAUTHENTICATED' },
      ],
    });
  });

  it('judges only the operation that runs', () => {
    const result = authorizeOperation(apiSchema, parse('query A { me { id } } query B { user(id: "u1") { username } }'), 'B', null, requirements);
    expect(result).toMatchObject({ errors: [] });
  });

  it('filters a fragment doubling chain in linear work, with one error per denied field at its first use', () => {
    const chain = countingSelectionReads(doublingChain(20, 'me { id } user(id: "u1") { username email }'));
    const result = authorizeOperation(apiSchema, chain.document, undefined, null, requirements);
    expect(chain.reads()).toBeLessThanOrEqual(2 * chain.selectionSets);
    expect(result.errors.map((error) => ({ path: error.path, code: error.extensions['code'] }))).toEqual([
      { path: ['me'], code: 'UNAUTHENTICATED' },
      { path: ['user', 'email'], code: 'UNAUTHENTICATED' },
    ]);
    const kept = print(result.document!);
    expect(kept.length).toBeLessThan(print(chain.document).length);
    expect(kept).toContain('fragment F20 on Query {\n  user(id: "u1") {\n    username\n  }\n}');
  });

  it('reports at most 100 errors, however many denied fields the operation writes', () => {
    const denied = Array.from({ length: 300 }, (_, i) => `m${i}: me { id }`).join(' ');
    const result = authorizeOperation(apiSchema, parse(`{ ${denied} user(id: "u1") { username } }`), undefined, null, requirements);
    expect(result.errors).toHaveLength(MAX_ERRORS);
    expect(print(result.document!).replace(/\s+/g, ' ')).toBe('{ user(id: "u1") { username } }');
  });
});
