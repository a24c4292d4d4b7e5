import { runGateway } from './runGateway.js';

// The shop's gateway: `supergate serve` without flags, serving schema/supergraph.graphql unless SUPERGRAPH_PATH or a config file says otherwise.
await runGateway({}, { tokenHint: ' Get a token with `npm run token -- --sub u1`.' });
