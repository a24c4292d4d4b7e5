import { serveUntilStopped } from '../serveUntilStopped.js';
import { benchmarkDataSet, type DataSet } from './dataSet.js';
import { generatedDataSet } from './generatedDataSet.js';
import { createSubgraphsServer } from './subgraphsServer.js';

// The benchmark's four subgraphs in one process, as the original runs them; started by the bench.
const DATA_SETS: Readonly<Record<string, () => DataSet>> = { benchmark: benchmarkDataSet, generated: () => generatedDataSet() };

const dataSetName = process.env['BENCH_DATA_SET'] ?? 'benchmark';
const dataSet = DATA_SETS[dataSetName];
if (dataSet === undefined) throw new Error(`BENCH_DATA_SET must be one of ${Object.keys(DATA_SETS).join(', ')}; got "${dataSetName}"`);

serveUntilStopped(createSubgraphsServer(dataSet()), {
  name: `benchmark subgraphs, ${dataSetName} data`,
  port: Number(process.env['PORT'] ?? '0'),
  host: process.env['HOST'] ?? '127.0.0.1',
});
