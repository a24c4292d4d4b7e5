/** Stands for a shared call whose starter noted no epoch: as old as any, so a racing purge always wins. */
const UNKNOWN_EPOCH = -1;

/**
 * The invalidation epoch one request's answer was fetched under. A request
 * notes the epoch before it fetches; when it joins a subgraph call another
 * request started, the answer is as old as that call, so the earlier epoch
 * counts. A purge between the two then still keeps the answer out of the cache.
 */
export class FetchEpoch {
  private noted: number | undefined;
  private earliestJoined: number | undefined;

  /** Notes the epoch read before this request's own fetches start. */
  note(epoch: number | undefined): void {
    this.noted = epoch;
  }

  /** What this request's own subgraph calls started under, for others that join them. */
  get startedUnder(): number | undefined {
    return this.noted;
  }

  /** Records joining a call that its starter began under `epoch`. */
  joined(epoch: number | undefined): void {
    const value = epoch ?? UNKNOWN_EPOCH;
    this.earliestJoined = this.earliestJoined === undefined ? value : Math.min(this.earliestJoined, value);
  }

  /** The epoch the answer is stored under: the earliest of its own and every call it joined; undefined if none was noted. */
  get current(): number | undefined {
    if (this.noted === undefined) return undefined;
    return this.earliestJoined === undefined ? this.noted : Math.min(this.noted, this.earliestJoined);
  }
}
