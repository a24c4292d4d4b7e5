#!/usr/bin/env node
import { Command } from 'commander';
import { composeCommand } from './cli/composeCommand.js';
import { packageVersion } from './cli/packageVersion.js';
import { addServeOptions, configFileFlag, settingsFromFlags } from './cli/serveOptions.js';

// supergate [serve] [options]: the gateway in front of anyone's subgraphs; supergate compose: their supergraph.

/** Where the CLI looks for the supergraph when nothing names one: the working directory, as `supergate compose` writes it. */
const CLI_DEFAULTS = { SUPERGRAPH_PATH: 'supergraph.graphql' };

async function serve(command: Command): Promise<void> {
  // Loaded only to serve, so --help, --version and compose start quickly.
  const { runGateway } = await import('./runGateway.js');
  await runGateway({ configFile: configFileFlag(command), flags: settingsFromFlags(command), defaults: CLI_DEFAULTS });
}

const program = addServeOptions(new Command('supergate'))
  .description('A federated GraphQL gateway in front of your subgraphs: JWT checks, authorization, query limits, rate limits and a response cache at the edge.')
  .version(packageVersion(), '-v, --version', "print Supergate's version")
  .enablePositionalOptions()
  .action((_options, command: Command) => serve(command));

addServeOptions(program.command('serve').description('serve the supergraph (what `supergate` alone does)')).action((_options, command: Command) =>
  serve(command),
);

program.addCommand(composeCommand());

await program.parseAsync();
