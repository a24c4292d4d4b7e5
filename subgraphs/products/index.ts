import { fileURLToPath } from 'node:url';
import { runSubgraph, startOrExit } from '../kit/bootstrap.js';
import { readSubgraphConfig } from '../kit/config.js';
import { createContext } from './context.js';
import { createProductsServer } from './server.js';

startOrExit('products', async () => {
  const config = readSubgraphConfig('products', 4002);
  await runSubgraph({
    config,
    migrationsDir: fileURLToPath(new URL('./migrations', import.meta.url)),
    createServer: () => createProductsServer(config.production),
    createContext,
  });
});
