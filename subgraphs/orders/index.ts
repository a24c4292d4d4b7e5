import { fileURLToPath } from 'node:url';
import { GatewayTokenSigner } from '../../lib/gatewayToken.js';
import { runSubgraph, startOrExit } from '../kit/bootstrap.js';
import { readSubgraphConfig } from '../kit/config.js';
import { createContext } from './context.js';
import { createPeerClient } from './peerClient.js';
import type { Peers } from './peers.js';
import { startReleasingAbandonedOrders } from './releaseAbandonedOrders.js';
import { createOrdersServer } from './server.js';

startOrExit('orders', async () => {
  const config = readSubgraphConfig('orders', 4005, ['products', 'inventory']);
  // Calls to peers carry a token signed with orders' own key, as the orders service, with no user in it.
  if (config.signingKey === undefined) throw new Error('orders calls peers, so it needs a signing key');
  const signer = new GatewayTokenSigner(config.signingKey, 'orders');
  const serviceToken = () => signer.sign(null);
  const peers: Peers = {
    products: createPeerClient('products', config.peers['products'] ?? '', serviceToken),
    inventory: createPeerClient('inventory', config.peers['inventory'] ?? '', serviceToken),
  };
  await runSubgraph({
    config,
    migrationsDir: fileURLToPath(new URL('./migrations', import.meta.url)),
    createServer: (db) => {
      // Started once the database is migrated, which is when runSubgraph builds the server.
      startReleasingAbandonedOrders(db, peers.inventory);
      return createOrdersServer(config.production);
    },
    createContext: (db, identity) => createContext(db, peers, identity),
  });
});
