import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../scripts/system.js';
import { readRegistry } from '../schema/registry.js';
import { readFileSync } from 'node:fs';

const hasDockerCompose = spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0;

describe('docker-compose.yml', () => {
  it.skipIf(!hasDockerCompose)('is valid for docker-compose', () => {
    expect(() => execFileSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], { cwd: PROJECT_ROOT, stdio: 'pipe' })).not.toThrow();
  });

  it('runs every registered subgraph and points the gateway at each', () => {
    const compose = readFileSync(`${PROJECT_ROOT}/docker-compose.yml`, 'utf8');
    for (const entry of readRegistry()) {
      expect(compose).toContain(`subgraphs/${entry.name}/index.ts`);
      expect(compose).toContain(`SUBGRAPH_${entry.name.toUpperCase()}_URL: http://${entry.name}:${entry.port}/graphql`);
    }
  });
});
