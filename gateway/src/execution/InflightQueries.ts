/**
 * Shares one call among every concurrent caller asking for the same thing, as
 * long as the first is in flight; the next caller after it settles starts anew.
 * The first caller may leave a note (`startedWith`) that callers joining it read.
 */
export class InflightQueries<T, N = undefined> {
  private readonly inflight = new Map<string, { readonly result: Promise<T>; readonly note: N | undefined }>();

  /** `shared` is true when this caller joined a call another one started; `startedWith` is that caller's note. */
  run(key: string, call: () => Promise<T>, note?: N): { readonly result: Promise<T>; readonly shared: boolean; readonly startedWith: N | undefined } {
    const running = this.inflight.get(key);
    if (running !== undefined) return { result: running.result, shared: true, startedWith: running.note };
    const result = call().finally(() => this.inflight.delete(key));
    this.inflight.set(key, { result, note });
    return { result, shared: false, startedWith: note };
  }

  /** Calls in flight now. */
  get size(): number {
    return this.inflight.size;
  }
}
