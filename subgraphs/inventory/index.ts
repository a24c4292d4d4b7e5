import { fileURLToPath } from 'node:url';
import { runSubgraph, startOrExit } from '../kit/bootstrap.js';
import { readSubgraphConfig } from '../kit/config.js';
import { createContext } from './context.js';
import { createInventoryServer } from './server.js';

startOrExit('inventory', async () => {
  const config = readSubgraphConfig('inventory', 4003);
  await runSubgraph({
    config,
    migrationsDir: fileURLToPath(new URL('./migrations', import.meta.url)),
    createServer: () => createInventoryServer(config.production),
    createContext,
  });
});
