import { fileURLToPath } from 'node:url';
import { runSubgraph, startOrExit } from '../kit/bootstrap.js';
import { readSubgraphConfig } from '../kit/config.js';
import { createContext } from './context.js';
import { createReviewsServer } from './server.js';

startOrExit('reviews', async () => {
  const config = readSubgraphConfig('reviews', 4004);
  await runSubgraph({
    config,
    migrationsDir: fileURLToPath(new URL('./migrations', import.meta.url)),
    createServer: () => createReviewsServer(config.production),
    createContext,
  });
});
