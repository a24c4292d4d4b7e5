import { generateIdentityKeyPem } from '../lib/identityKeys.js';
import { readRegistry } from '../schema/registry.js';

// npm run -s keys >> deploy/k8s/secrets.env: fresh identity key pairs, one line each,
// newlines written as \n (the services read them back).
const line = (name: string, pem: string): string => `${name}=${pem.trim().replace(/\n/g, '\\n')}`;

const gateway = generateIdentityKeyPem();
console.log(
  "# The gateway signs identity tokens with GATEWAY_SIGNING_KEY; subgraphs verify them with GATEWAY_PUBLIC_KEY or the gateway's /.well-known/jwks.json.",
);
console.log(line('GATEWAY_SIGNING_KEY', gateway.privateKey));
console.log(line('GATEWAY_PUBLIC_KEY', gateway.publicKey));
for (const entry of readRegistry().filter((candidate) => candidate.peers.length > 0)) {
  const pair = generateIdentityKeyPem();
  const upper = entry.name.toUpperCase();
  console.log(
    `# ${entry.name} signs its own calls to ${entry.peers.join(' and ')}: SERVICE_SIGNING_KEY in ${entry.name}, SERVICE_${upper}_PUBLIC_KEY in its peers.`,
  );
  console.log(line(`${upper}_SIGNING_KEY`, pair.privateKey));
  console.log(line(`SERVICE_${upper}_PUBLIC_KEY`, pair.publicKey));
}
