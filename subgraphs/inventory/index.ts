import { runSubgraph } from '../kit/bootstrap.js';
import { subgraph } from './server.js';

await runSubgraph(subgraph);
