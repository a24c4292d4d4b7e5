import type { Cleanup } from './Cleanup.js';
import { measureLoad } from './load.js';
import { startAvailableTarget, type TargetProcess } from './processes.js';
import { requestBody, type BenchQuery } from './queries.js';
import type { Row } from './report.js';
import { BASELINE, type Target } from './targets.js';
import { ask, findProblem, type Answer } from './verify.js';

export interface MeasureOptions {
  /** In run order; the baseline first. */
  readonly targets: readonly Target[];
  /** Targets that only provide reference answers and are not put under load. */
  readonly referenceOnly: ReadonlySet<string>;
  readonly queries: readonly BenchQuery[];
  readonly connections: number;
  readonly warmupSeconds: number;
  readonly durationSeconds: number;
  /** Every target's process gets these on top of its own (subgraph URLs, host, port). */
  readonly env: Readonly<Record<string, string>>;
  /** Sent with every request to every target, so they all get the same bytes. */
  readonly headers: Readonly<Record<string, string>>;
  /** The core each target's process is pinned to, as the settings line says; undefined when the machine cannot pin. */
  readonly gatewayCpu: number | undefined;
  readonly cleanup: Cleanup;
  readonly log: (line: string) => void;
}

export interface Measurements {
  readonly rows: Row[];
  /** One message per target or query that failed to start or answered wrongly, saying how. */
  readonly failures: string[];
  /** Targets this machine cannot run, saying why. */
  readonly skipped: string[];
}

/**
 * Runs the targets one at a time: start its process, check it answers every query
 * as the baseline does, put each query under load, read its memory, stop it.
 */
export async function measureTargets(options: MeasureOptions): Promise<Measurements> {
  const rows: Row[] = [];
  const failures: string[] = [];
  const skipped: string[] = [];
  const answers = new Map<string, Map<string, Answer>>();
  const answersOf = (target: string) => {
    const byBody = answers.get(target);
    return byBody === undefined || byBody.size === 0 ? undefined : new Map([...byBody].map(([body, answer]) => [body, answer.body]));
  };

  for (const target of options.targets) {
    const running = await startAvailableTarget(
      target,
      { ...options.env, ...target.env?.({ answersOf }) },
      { skipped, failures, log: options.log },
      { cpu: options.gatewayCpu },
    );
    if (running === undefined) continue;
    const stop = options.cleanup.add(() => running.stop());
    options.log(`${target.name}: listening on ${running.url} (pid ${running.pid})`);
    try {
      const verified = await verify(target.name, running, options, answers.get(BASELINE));
      answers.set(target.name, verified.answers);
      failures.push(...verified.failures);
      if (options.referenceOnly.has(target.name)) continue;
      for (const query of options.queries) {
        const answer = verified.answers.get(requestBody(query));
        if (answer === undefined) continue;
        options.log(
          `${target.name} / ${query.name}: ${options.warmupSeconds} s warm-up, ${options.durationSeconds} s measured on ${options.connections} connections`,
        );
        const load = await measureLoad({
          url: running.url,
          body: requestBody(query),
          headers: options.headers,
          connections: options.connections,
          warmupSeconds: options.warmupSeconds,
          durationSeconds: options.durationSeconds,
          expectBody: answer.body,
        });
        rows.push({ target: target.name, query: query.name, load, rssMb: running.rssMb() });
      }
    } finally {
      await stop();
    }
  }
  return { rows, failures, skipped };
}

async function verify(
  target: string,
  running: TargetProcess,
  options: MeasureOptions,
  reference: ReadonlyMap<string, Answer> | undefined,
): Promise<{ answers: Map<string, Answer>; failures: string[] }> {
  const answers = new Map<string, Answer>();
  const failures: string[] = [];
  for (const query of options.queries) {
    const body = requestBody(query);
    const expected = reference?.get(body);
    if (target !== BASELINE && expected === undefined) {
      failures.push(`${target} / ${query.name}: not checked, because ${BASELINE} did not answer it`);
      continue;
    }
    const answer = await ask(running.url, body, options.headers).catch((error: unknown): Answer => ({
      status: 0,
      body: `request failed: ${error instanceof Error ? error.message : String(error)}`,
    }));
    const problem = findProblem(answer, expected);
    if (problem === undefined) {
      answers.set(body, answer);
      options.log(`${target} / ${query.name}: answers 200 with the ${target === BASELINE ? 'reference' : `same data as ${BASELINE}`}`);
      continue;
    }
    failures.push(`${target} / ${query.name}: wrong answer, not measured: ${problem}`);
    // The target may log why only just after it has answered.
    await new Promise((resolve) => setTimeout(resolve, 250));
    options.log(`FAILED ${String(failures.at(-1))}\n  last output of ${target}:\n${running.recentOutput().replace(/^/gm, '    ')}`);
  }
  return { answers, failures };
}
