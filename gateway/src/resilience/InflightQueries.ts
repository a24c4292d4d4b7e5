/**
 * Shares one call among every concurrent caller asking for the same thing, as
 * long as the first is in flight; the next caller after it settles starts anew.
 */
export class InflightQueries<T> {
  private readonly inflight = new Map<string, Promise<T>>();

  /** `shared` is true when this caller joined a call another one started. */
  run(key: string, call: () => Promise<T>): { readonly result: Promise<T>; readonly shared: boolean } {
    const running = this.inflight.get(key);
    if (running !== undefined) return { result: running, shared: true };
    const result = call().finally(() => this.inflight.delete(key));
    this.inflight.set(key, result);
    return { result, shared: false };
  }

  /** Calls in flight now. */
  get size(): number {
    return this.inflight.size;
  }
}
