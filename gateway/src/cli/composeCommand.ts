import { Command } from 'commander';

export interface ComposeOptions {
  readonly config: string;
  readonly output?: string;
  readonly hints?: boolean;
}

/** `supergate compose`: a supergraph.yaml in rover's format in, the supergraph SDL out; exit 1 when it does not compose. */
export function composeCommand(): Command {
  return new Command('compose')
    .description('compose the subgraphs a supergraph.yaml lists (the format of `rover supergraph compose`) into supergraph SDL')
    .option(
      '-c, --config <file>',
      'the supergraph.yaml: federation_version, subgraphs.<name>.routing_url and .schema (file, subgraph_url or sdl)',
      'supergraph.yaml',
    )
    .option('-o, --output <file>', 'write the supergraph SDL to this file (default: standard output)')
    .option('--hints', 'print the composition hints (inconsistent descriptions, unused types and the like)')
    .action(async (_options, command: Command) => {
      // Loaded only to compose, so the other commands start without @apollo/composition.
      const { compose } = await import('./compose.js');
      process.exitCode = await compose(command.opts<ComposeOptions>());
    });
}
