import { statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';
import { runtimeAssets } from '../../scripts/runtimeAssets.js';
import { BUILD_DIR, nodeArguments } from '../../scripts/serviceCommands.js';
import { PROJECT_ROOT } from '../../scripts/system.js';

/** tsconfig.build.json as tsc reads it: the sources it compiles (absolute paths) and where their output goes. */
export function readBuildConfig(root: string = PROJECT_ROOT): ts.ParsedCommandLine {
  const configFile = join(root, 'tsconfig.build.json');
  const host: ts.ParseConfigFileHost = {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic(diagnostic) {
      throw new Error(`${configFile}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`);
    },
  };
  const parsed = ts.getParsedCommandLineOfConfigFile(configFile, undefined, host);
  if (parsed === undefined || parsed.errors.length > 0) {
    throw new Error(`${configFile}: ${parsed?.errors.map((error) => ts.flattenDiagnosticMessageText(error.messageText, '\n')).join('; ') ?? 'unreadable'}`);
  }
  return parsed;
}

/**
 * The JavaScript files `npm run build` writes, relative to the project root
 * (`dist/gateway/src/index.js`). Read from the config rather than from dist/, so a
 * command can be checked without building first.
 */
export function builtJavaScriptFiles(root: string = PROJECT_ROOT): Set<string> {
  const config = readBuildConfig(root);
  const outputs = config.fileNames.flatMap((file) => ts.getOutputFileNames(config, file, false)).filter((file) => file.endsWith('.js'));
  return new Set(outputs.map((file) => relative(root, file).split(sep).join('/')));
}

let projectOutputs: Set<string> | undefined;

/**
 * What is wrong with `command` as the deployed command of the source entry point `entry`
 * (docker-compose, Kubernetes, the Dockerfile): not `node --enable-source-maps dist/<entry>.js`,
 * or naming a file the build does not write. Empty when it is right.
 */
export function deployedCommandProblems(where: string, command: readonly string[] | undefined, entry: string): string[] {
  projectOutputs ??= builtJavaScriptFiles();
  const expected = ['node', ...nodeArguments(entry, 'built')];
  const file = command?.at(-1) ?? '';
  return [
    ...(JSON.stringify(command) === JSON.stringify(expected) ? [] : [`${where}: command ${JSON.stringify(command)}, expected ${JSON.stringify(expected)}`]),
    ...(projectOutputs.has(file) ? [] : [`${where}: ${file} is not a file npm run build writes`]),
  ];
}

/**
 * Sources (and runtime files) whose counterpart in dist/ is missing or older than they
 * are, relative to the project root: empty right after `npm run build`.
 */
export function outdatedInBuild(root: string = PROJECT_ROOT): string[] {
  const config = readBuildConfig(root);
  const pairs: [source: string, output: string | undefined][] = [
    ...config.fileNames.map((source): [string, string | undefined] => [
      source,
      ts.getOutputFileNames(config, source, false).find((file) => file.endsWith('.js')),
    ]),
    ...runtimeAssets(root).map((asset): [string, string] => [join(root, asset), join(root, BUILD_DIR, asset)]),
  ];
  const modified = (path: string): number => statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? Number.NEGATIVE_INFINITY;
  return pairs
    .filter(([source, output]) => output === undefined || modified(output) < modified(source))
    .map(([source]) => relative(root, source).split(sep).join('/'));
}

/** Throws, saying what changed, unless dist/ is a build of this checkout: what runs the build must run this code. */
export function assertBuilt(): void {
  const outdated = outdatedInBuild();
  if (outdated.length > 0)
    throw new Error(`dist/ is not a build of this checkout (${outdated.slice(0, 3).join(', ')} changed since): run npm run build first (npm test does)`);
}
