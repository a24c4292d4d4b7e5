import type { ApolloServer, GraphQLRequest } from '@apollo/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../kit/database.js';
import { openMigratedDatabase, recordingDatabase } from '../kit/testing.js';
import { createContext, type AccountsContext } from './context.js';
import { createAccountsServer } from './server.js';

let db: Database;
let server: ApolloServer<AccountsContext>;
const statements: string[] = [];

/** The same database, recording every statement sent outside a transaction. */
const recording = (inner: Database): Database => recordingDatabase(inner, statements);

beforeAll(async () => {
  db = await openMigratedDatabase('accounts', new URL('./migrations', import.meta.url));
  // As production answers: errors without stack traces.
  server = createAccountsServer(true);
  await server.start();
});

afterAll(async () => {
  await server.stop();
  await db.close();
});

/** Runs `request` as the caller `sub` (null: anonymous) holding `scopes`, and returns the whole result. */
async function execute(request: GraphQLRequest, sub: string | null, scopes: string[] = []) {
  const response = await server.executeOperation(request, { contextValue: createContext(recording(db), { sub, scopes, issuer: 'gateway' }) });
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  return response.body.singleResult;
}

const USER_EMAIL = 'query ($id: ID!) { user(id: $id) { id username email } }';

const ENTITIES = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { id email } } }';

const forbidden = (path: (string | number)[]) => ({
  message: 'Only the account owner or an admin can read User.email.',
  locations: [expect.any(Object)],
  path,
  extensions: { code: 'FORBIDDEN' },
});

describe('User.email', () => {
  it('a user reads their own email', async () => {
    expect(await execute({ query: USER_EMAIL, variables: { id: 'u3' } }, 'u3')).toEqual({
      data: { user: { id: 'u3', username: 'user3', email: 'user3@example.com' } },
    });
    expect(await execute({ query: '{ me { email } }' }, 'u3')).toEqual({ data: { me: { email: 'user3@example.com' } } });
  });

  it('another user sees null and FORBIDDEN for the email while the rest of the user answers', async () => {
    expect(await execute({ query: USER_EMAIL, variables: { id: 'u3' } }, 'u4', ['read'])).toEqual({
      data: { user: { id: 'u3', username: 'user3', email: null } },
      errors: [forbidden(['user', 'email'])],
    });
  });

  it("an admin reads anyone's email", async () => {
    expect(await execute({ query: USER_EMAIL, variables: { id: 'u3' } }, 'u9', ['admin'])).toEqual({
      data: { user: { id: 'u3', username: 'user3', email: 'user3@example.com' } },
    });
    expect(await execute({ query: '{ users(first: 2) { nodes { id email } } }' }, 'u9', ['admin'])).toEqual({
      data: {
        users: {
          nodes: [
            { id: 'u1', email: 'user1@example.com' },
            { id: 'u2', email: 'user2@example.com' },
          ],
        },
      },
    });
  });

  it('an anonymous caller gets null and FORBIDDEN for the email', async () => {
    expect(await execute({ query: USER_EMAIL, variables: { id: 'u3' } }, null)).toEqual({
      data: { user: { id: 'u3', username: 'user3', email: null } },
      errors: [forbidden(['user', 'email'])],
    });
  });

  it('a batch of 20 users shows a non-admin only their own email, in the one statement an admin batch costs', async () => {
    const representations = Array.from({ length: 20 }, (_, i) => ({ __typename: 'User', id: `u${i + 1}` }));

    statements.length = 0;
    const asAdmin = await execute({ query: ENTITIES, variables: { r: representations } }, 'u1', ['admin']);
    expect(asAdmin.errors).toBeUndefined();
    expect(statements).toHaveLength(1);

    statements.length = 0;
    expect(await execute({ query: ENTITIES, variables: { r: representations } }, 'u7', ['read'])).toEqual({
      data: { _entities: representations.map(({ id }) => ({ id, email: id === 'u7' ? 'user7@example.com' : null })) },
      errors: representations.flatMap(({ id }, index) => (id === 'u7' ? [] : [forbidden(['_entities', index, 'email'])])),
    });
    expect(statements).toHaveLength(1);
  });
});
