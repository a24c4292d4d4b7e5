import { parseArgs } from 'node:util';
import jwt from 'jsonwebtoken';
import { readGatewayConfig } from '../gateway/src/config.js';

// npm run token -- --sub u1 --scope "admin": a token the gateway accepts, for Sandbox or curl.
const { values } = parseArgs({
  options: {
    sub: { type: 'string', default: 'u1' },
    scope: { type: 'string', default: '' },
    'expires-in': { type: 'string', default: '1h' },
  },
});
const config = readGatewayConfig();
if (config.jwtKeys.kind !== 'secret') {
  console.error('npm run token signs with JWT_SECRET; this gateway verifies tokens with a public key, so get one from your identity provider.');
  process.exit(1);
}
const token = jwt.sign({ scope: values.scope }, config.jwtKeys.secret, {
  algorithm: 'HS256',
  subject: values.sub,
  expiresIn: values['expires-in'] as jwt.SignOptions['expiresIn'] & string,
  ...(config.jwtIssuer === undefined ? {} : { issuer: config.jwtIssuer }),
  ...(config.jwtAudience === undefined ? {} : { audience: config.jwtAudience }),
});
console.log(token);
