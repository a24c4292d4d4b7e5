import { fileURLToPath } from 'node:url';
import { runSubgraph, startOrExit } from '../kit/bootstrap.js';
import { readSubgraphConfig } from '../kit/config.js';
import { createContext } from './context.js';
import { createAccountsServer } from './server.js';

startOrExit('accounts', async () => {
  const config = readSubgraphConfig('accounts', 4001);
  await runSubgraph({
    config,
    migrationsDir: fileURLToPath(new URL('./migrations', import.meta.url)),
    createServer: () => createAccountsServer(config.production),
    createContext,
  });
});
