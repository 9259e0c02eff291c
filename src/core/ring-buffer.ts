/**
 * A bounded ring of the most recent items, each stamped with a sequence number (1, 2, 3, ... never
 * reused), so a reader can ask for "everything after the last one I saw" (`/api/events?since=`) and
 * learn when items it never saw were dropped.
 */

export interface Sequenced<T> {
  seq: number;
  item: T;
}

export interface SinceResult<T> {
  entries: Sequenced<T>[];
  /** The sequence number to pass as `since` next time (the last one returned, or `since` itself). */
  next: number;
  /** Items after `since` that were already overwritten. */
  dropped: number;
}

export class RingBuffer<T> {
  readonly capacity: number;
  private readonly slots: (T | undefined)[];
  /** Sequence number of the last item pushed (0 when empty). */
  private last = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.slots = new Array<T | undefined>(capacity);
  }

  /** Appends an item, overwriting the oldest when full; returns its sequence number. */
  push(item: T): number {
    this.last++;
    this.slots[(this.last - 1) % this.capacity] = item;
    return this.last;
  }

  /** Items kept right now. */
  get size(): number {
    return Math.min(this.last, this.capacity);
  }

  /** Sequence number of the newest item (0 when nothing was ever pushed). */
  get lastSeq(): number {
    return this.last;
  }

  /** Every kept item, oldest first. */
  toArray(): Sequenced<T>[] {
    return this.since(0).entries;
  }

  /** Kept items with a sequence number above `since`, oldest first, at most `limit` of them. */
  since(since: number, limit = Infinity): SinceResult<T> {
    const oldest = this.last - this.size + 1;
    const from = Math.max(oldest, Math.floor(since) + 1, 1);
    const entries: Sequenced<T>[] = [];
    for (let seq = from; seq <= this.last && entries.length < limit; seq++) {
      entries.push({ seq, item: this.slots[(seq - 1) % this.capacity] as T });
    }
    const dropped = Math.max(0, oldest - Math.max(0, Math.floor(since)) - 1);
    const next =
      entries.length > 0
        ? entries[entries.length - 1]!.seq
        : Math.max(0, Math.min(Math.floor(since), this.last));
    return { entries, next, dropped };
  }
}
