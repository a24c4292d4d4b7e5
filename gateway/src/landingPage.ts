import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';

/** What a developer sees first in Sandbox: how to sign in, then a query that needs it. */
const FIRST_DOCUMENT = `# Supergate (development). Most fields answer anonymous callers; some need a token:
#   1. In a terminal: npm run -s token -- --sub u1        (add --scope admin for admin-only fields)
#   2. Open Headers (below the editor) and add  Authorization: Bearer <the token>
# (A header with a bad token gets HTTP 401 for every request, introspection included.)
# Without the header, \`me\` answers null with UNAUTHENTICATED at its path.
query Me {
  me {
    username
    email
  }
  topProducts(first: 3) {
    name
    price
    inStock
    averageRating
  }
}
`;

/**
 * Development: the embedded Apollo Sandbox, pointed at this gateway, opening on
 * a document that says how to get a development token and which header to set.
 * Production: no landing page.
 */
export function landingPagePlugin(production: boolean): ApolloServerPlugin {
  if (production) return ApolloServerPluginLandingPageDisabled();
  return ApolloServerPluginLandingPageLocalDefault({
    embed: true,
    document: FIRST_DOCUMENT,
    includeCookies: false,
    footer: false,
  });
}
