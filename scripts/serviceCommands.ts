import { fileURLToPath } from 'node:url';

/**
 * How a service process runs: from the TypeScript sources through tsx (development,
 * `npm start`, the tests) or from the compiled JavaScript under `dist/` with plain
 * node (the image, `npm run build`).
 */
export type ServiceRuntime = 'sources' | 'built';

/** Where this module itself runs: built once it is `dist/scripts/serviceCommands.js`. */
export const CURRENT_RUNTIME: ServiceRuntime = import.meta.url.endsWith('.js') ? 'built' : 'sources';

/** The folder holding package.json (and `dist/` once built), whichever runtime this is. */
export const PROJECT_ROOT = fileURLToPath(new URL(CURRENT_RUNTIME === 'built' ? '../..' : '..', import.meta.url));

/** The compiled output folder, relative to the project root (`outDir` in tsconfig.build.json). */
export const BUILD_DIR = 'dist';

/** The gateway's source entry point, relative to the project root. */
export const GATEWAY_ENTRY = 'gateway/src/index.ts';

/** A subgraph's source entry point (the one file that listens), relative to the project root. */
export function subgraphEntry(name: string): string {
  return `subgraphs/${name}/index.ts`;
}

/** Where the build writes a source file's JavaScript: `gateway/src/index.ts` becomes `dist/gateway/src/index.js`. */
export function builtFile(source: string): string {
  return `${BUILD_DIR}/${source.replace(/\.ts$/, '.js')}`;
}

/**
 * What follows `node` to run a source entry point in `runtime`, relative to the project
 * root. The built form is the command docker-compose.yml, deploy/k8s and the Dockerfile give.
 */
export function nodeArguments(entry: string, runtime: ServiceRuntime): string[] {
  return runtime === 'built' ? ['--enable-source-maps', builtFile(entry)] : ['--import', 'tsx', entry];
}
