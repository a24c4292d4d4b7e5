import { readFileSync, writeFileSync } from 'node:fs';
import { composeSupergraph } from './composeSupergraph.js';
import { SUPERGRAPH_PATH, readRegistry } from './registry.js';

// npm run compose: writes schema/supergraph.graphql from the registered subgraphs' SDL.
const result = composeSupergraph(readRegistry());
if (!result.ok) {
  console.error(`Composition failed with ${result.errors.length} error(s):`);
  for (const error of result.errors) console.error(`  - ${error}`);
  process.exit(1);
}
const previous = readFileSync(SUPERGRAPH_PATH, { encoding: 'utf8', flag: 'a+' });
if (previous === result.supergraphSdl) {
  console.log(`${SUPERGRAPH_PATH} is up to date.`);
} else {
  writeFileSync(SUPERGRAPH_PATH, result.supergraphSdl);
  console.log(`Wrote ${SUPERGRAPH_PATH}.`);
}
