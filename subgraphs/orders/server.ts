import { fileURLToPath } from 'node:url';
import { GatewayTokenSigner } from '../../lib/gatewayToken.js';
import { createCachePurger } from '../kit/cachePurge.js';
import type { SubgraphConfig } from '../kit/config.js';
import { createSubgraphServer } from '../kit/server.js';
import type { SubgraphDefinition } from '../kit/startSubgraph.js';
import { createContext, type OrdersContext } from './context.js';
import { startFulfilment } from './fulfilment.js';
import { statusPublisher, type OrderEvents } from './orderEvents.js';
import { createPeerClient } from './peerClient.js';
import type { Peers } from './peers.js';
import { startReleasingAbandonedOrders } from './releaseAbandonedOrders.js';
import { resolvers } from './resolvers.js';

export function createOrdersServer(production: boolean) {
  return createSubgraphServer<OrdersContext>({ name: 'orders', schemaUrl: new URL('./schema.graphql', import.meta.url), resolvers, production });
}

/** The orders service, as `index.ts` runs it and the tests start it. */
export const subgraph: SubgraphDefinition<OrdersContext> = {
  name: 'orders',
  defaultPort: 4005,
  peers: ['products', 'inventory'],
  migrationsDir: fileURLToPath(new URL('./migrations', import.meta.url)),
  createService(db, config, { events, logger }) {
    const peers = connectPeers(config);
    const purger = createCachePurger(config, logger);
    const publishStatus = statusPublisher(events);
    // Both started once the database is migrated, which is when the kit creates the service.
    const fulfilment = startFulfilment({ db, publishStatus, purger, logger, stepMs: config.fulfilmentStepMs, queueRedisUrl: config.queueRedisUrl });
    const stopReleasing = startReleasingAbandonedOrders(db, peers.inventory);
    const ordersEvents: OrderEvents = { placed: (order) => fulfilment.schedule(order.id, order.status), statusChanged: publishStatus };
    return {
      server: createOrdersServer(config.production),
      createContext: (identity) => createContext(db, peers, identity, ordersEvents, (triggers, maxBuffered) => events.subscribe(triggers, maxBuffered)),
      async stop() {
        stopReleasing();
        await fulfilment.close();
        await purger.close();
      },
    };
  },
};

/** Clients of the subgraphs placing an order calls, each call carrying a token orders signs with its own key, as itself, with no user in it. */
function connectPeers(config: SubgraphConfig): Peers {
  if (config.signingKey === undefined) throw new Error('orders calls peers, so it needs a signing key');
  const signer = new GatewayTokenSigner(config.signingKey, 'orders');
  const serviceToken = () => signer.sign(null);
  return {
    products: createPeerClient('products', config.peers['products'] ?? '', serviceToken),
    inventory: createPeerClient('inventory', config.peers['inventory'] ?? '', serviceToken),
  };
}
