import { fileURLToPath } from 'node:url';
import { runSubgraph, startOrExit } from '../kit/bootstrap.js';
import { readSubgraphConfig } from '../kit/config.js';
import { createContext } from './context.js';
import { createPeerClient } from './peerClient.js';
import type { Peers } from './peers.js';
import { createOrdersServer } from './server.js';

startOrExit('orders', async () => {
  const config = readSubgraphConfig('orders', 4005, ['products', 'inventory']);
  const peers: Peers = {
    products: createPeerClient('products', config.peers['products'] ?? ''),
    inventory: createPeerClient('inventory', config.peers['inventory'] ?? ''),
  };
  await runSubgraph({
    config,
    migrationsDir: fileURLToPath(new URL('./migrations', import.meta.url)),
    createServer: () => createOrdersServer(config.production),
    createContext: (db) => createContext(db, peers),
  });
});
