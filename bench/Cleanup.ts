/**
 * Undo steps (stop a process, drop a database), run newest first and only once,
 * whether the run finishes, fails or is interrupted.
 */
export class Cleanup {
  private readonly steps: (() => Promise<void>)[] = [];
  private running: Promise<void> | undefined;

  /** Registers a step; the returned function runs it now and unregisters it. */
  add(step: () => Promise<void>): () => Promise<void> {
    this.steps.push(step);
    return async () => {
      const index = this.steps.indexOf(step);
      if (index === -1) return;
      this.steps.splice(index, 1);
      await step();
    };
  }

  /** Runs every registered step; a failing step is reported and the rest still run. */
  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.splice(0).reverse()) {
        await step().catch((error: unknown) => console.error(`cleanup failed: ${error instanceof Error ? error.message : String(error)}`));
      }
    })();
    return this.running;
  }
}
