import { readFileSync } from 'node:fs';

/** One Dockerfile instruction: `COPY --from=build /app/dist ./dist` is COPY, `{ from: 'build' }`, `['/app/dist', './dist']`. */
export interface DockerInstruction {
  readonly keyword: string;
  readonly flags: Readonly<Record<string, string>>;
  /** Whitespace-separated arguments, or the elements of the JSON (exec) form. */
  readonly args: readonly string[];
  /** Everything after the keyword, as written (a RUN's shell command). */
  readonly text: string;
}

export interface DockerStage {
  readonly name: string | undefined;
  readonly base: string;
  readonly instructions: readonly DockerInstruction[];
}

/**
 * The stages of a Dockerfile, each with its instructions: comments dropped, continued
 * lines joined. Enough for this project's Dockerfile, which the tests read and replay;
 * not a general parser (no heredocs, no escape directive).
 */
export function readDockerfile(path: string): DockerStage[] {
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const stages: { name: string | undefined; base: string; instructions: DockerInstruction[] }[] = [];
  for (const line of lines) {
    const instruction = parseInstruction(line);
    if (instruction.keyword === 'FROM') {
      const [base = '', as, name] = instruction.args;
      stages.push({ base, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (stage === undefined) throw new Error(`${path}: ${instruction.keyword} before the first FROM`);
      stage.instructions.push(instruction);
    }
  }
  return stages;
}

function parseInstruction(line: string): DockerInstruction {
  const [, keyword = '', text = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
  if (text.startsWith('[')) return { keyword: keyword.toUpperCase(), flags: {}, args: JSON.parse(text) as string[], text };
  const words = text.split(/\s+/);
  const flags: Record<string, string> = {};
  while (words[0]?.startsWith('--') === true) {
    const [name = '', value = ''] = (words.shift() ?? '').slice(2).split('=');
    flags[name] = value;
  }
  return { keyword: keyword.toUpperCase(), flags, args: words, text };
}

/** The variables an ENV instruction sets (`ENV NAME=value OTHER=value`). */
export function envOf(instruction: DockerInstruction): Record<string, string> {
  return Object.fromEntries(
    instruction.args.filter((pair) => pair.indexOf('=') > 0).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
}

/** Everything a stage sets with ENV. */
export function stageEnv(stage: DockerStage): Record<string, string> {
  return Object.assign({}, ...stage.instructions.filter((instruction) => instruction.keyword === 'ENV').map(envOf)) as Record<string, string>;
}
