import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { loadOrNull } from '../kit/batch.js';
import { decodeCursor, encodeCursor, pageSize } from '../kit/cursor.js';
import { ForbiddenError } from '../kit/errors.js';
import type { AccountsContext } from './context.js';
import { countUsers, userPage, type UserRow } from './db.js';

interface UsersArgs {
  first?: number | null;
  after?: string | null;
}

interface UserConnection {
  rows: UserRow[];
  hasNextPage: boolean;
}

export const resolvers: GraphQLResolverMap<AccountsContext> = {
  Query: {
    me: (_: unknown, __: unknown, ctx: AccountsContext) => (ctx.viewerId === null ? null : loadOrNull(ctx.loaders.userById, ctx.viewerId)),
    user: (_: unknown, args: { id: string }, ctx: AccountsContext) => loadOrNull(ctx.loaders.userById, args.id),
    async users(_: unknown, args: UsersArgs, ctx: AccountsContext): Promise<UserConnection> {
      const limit = pageSize(args.first, 20);
      const rows = await userPage(ctx.db, decodeCursor(args.after), limit);
      return { rows: rows.slice(0, limit), hasNextPage: rows.length > limit };
    },
  },
  User: {
    __resolveReference: (ref: { id: string }, ctx: AccountsContext) => loadOrNull(ctx.loaders.userById, ref.id),
    createdAt: (user: UserRow) => user.created_at.toISOString(),
    email(user: UserRow, _: unknown, ctx: AccountsContext) {
      if (ctx.viewerId !== user.id && !ctx.viewerIsAdmin) throw new ForbiddenError('Only the account owner or an admin can read User.email.');
      return user.email;
    },
  },
  UserConnection: {
    edges: (page: UserConnection) => page.rows.map((row) => ({ cursor: encodeCursor(row.position), node: row })),
    nodes: (page: UserConnection) => page.rows,
    pageInfo: (page: UserConnection) => {
      const last = page.rows.at(-1);
      return { hasNextPage: page.hasNextPage, endCursor: last === undefined ? null : encodeCursor(last.position) };
    },
    totalCount: (_: UserConnection, __: unknown, ctx: AccountsContext) => countUsers(ctx.db),
  },
};
