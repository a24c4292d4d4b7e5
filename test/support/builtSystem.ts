import { startSystem, type RunningSystem, type SystemOptions } from '../../scripts/system.js';
import { assertBuilt } from './buildOutputs.js';

/** The shop as real processes running the build with plain node, as the image runs it; refuses a dist/ older than the sources. */
export function startBuiltSystem(options: Omit<SystemOptions, 'runtime'> = {}): Promise<RunningSystem> {
  assertBuilt();
  return startSystem({ ...options, runtime: 'built' });
}
