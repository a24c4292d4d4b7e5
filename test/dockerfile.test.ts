import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GATEWAY_ENTRY } from '../scripts/serviceCommands.js';
import { PROJECT_ROOT } from '../scripts/system.js';
import { deployedCommandProblems } from './support/buildOutputs.js';
import { readDockerfile, stageEnv, type DockerStage } from './support/dockerfile.js';

// test/artefact.e2e.ts replays the runtime stage outside Docker and queries what it starts;
// this checks the shape that replay relies on, and what no replay can see.

const stages = readDockerfile(join(PROJECT_ROOT, 'Dockerfile'));
const [build, runtime] = stages as [DockerStage, DockerStage];

function runs(stage: DockerStage): string[] {
  return stage.instructions.filter((instruction) => instruction.keyword === 'RUN').map((instruction) => instruction.text);
}

function copies(stage: DockerStage): { from: string | undefined; sources: string[]; destination: string | undefined }[] {
  return stage.instructions
    .filter((instruction) => instruction.keyword === 'COPY')
    .map((instruction) => ({ from: instruction.flags['from'], sources: instruction.args.slice(0, -1), destination: instruction.args.at(-1) }));
}

describe('Dockerfile', () => {
  it('type-checks and builds in a stage of its own, with every dependency installed', () => {
    expect(stages.map((stage) => stage.name)).toEqual(['build', undefined]);
    expect(runs(build)).toEqual(['npm ci --no-audit --no-fund', 'npm run check && npm run build']);
  });

  it('ships production dependencies and dist/ only, from the same Node image', () => {
    expect(runtime.base).toBe(build.base);
    expect(runs(runtime)).toEqual(['npm ci --omit=dev --no-audit --no-fund']);
    expect(copies(runtime)).toEqual([
      { from: undefined, sources: ['package.json', 'package-lock.json'], destination: './' },
      { from: 'build', sources: ['/app/dist'], destination: './dist' },
    ]);
    expect(stageEnv(runtime)).toEqual({ NODE_ENV: 'production', HOST: '0.0.0.0' });
    expect(runtime.instructions.find((instruction) => instruction.keyword === 'USER')?.args).toEqual(['node']);
  });

  it('starts the built gateway with source maps, from a file the build writes', () => {
    const command = runtime.instructions.find((instruction) => instruction.keyword === 'CMD')?.args;
    expect(deployedCommandProblems('CMD', command, GATEWAY_ENTRY)).toEqual([]);
  });

  it('keeps a local dist/ and node_modules out of the build context', () => {
    const ignored = readFileSync(join(PROJECT_ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim());
    expect(ignored).toEqual(expect.arrayContaining(['dist', 'node_modules']));
  });
});
