import { composeServices } from '@apollo/composition';
import { ApolloGateway } from '@apollo/gateway';
import { parse, print, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Viewer } from '../auth/Viewer.js';
import { authorizeOperation } from './authorizeOperation.js';
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
      query: '{ user(id: "u1") { ... on User { id } } }',
      errors: [{ path: ['user', 'mail'], code: 'UNAUTHENTICATED' }],
    });
  });
});
