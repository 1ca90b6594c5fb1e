/** Where an object sits in a newest-first list: its creation time, ties broken by its id. */
export interface Stamp {
  readonly at: number;
  readonly id: string;
}

export interface PageQuery {
  limit: number;
  /** Only objects older than this one (Stripe's `starting_after`, EasyPost's `before_id`). */
  olderThan?: Stamp;
  /**
   * Only objects newer than this one (Stripe's `ending_before`, EasyPost's `after_id`): the page nearest to
   * it, still listed newest first, so walking back towards the present leaves no gap.
   */
  newerThan?: Stamp;
  /** Inclusive bounds on `at`. */
  minAt?: number;
  maxAt?: number;
  /** Other filters; rejected objects neither fill the page nor count for `hasMore`. */
  accept?: (id: string) => boolean;
}

export interface Page {
  /** Newest first. */
  ids: string[];
  /** Whether more objects lie beyond the page in the direction of the walk. */
  hasMore: boolean;
}

function compare(a: Stamp, b: Stamp): number {
  if (a.at !== b.at) return a.at - b.at;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The order providers list objects in: by creation time, ties broken by id, a total order no later creation
 * disturbs. A page is found by binary search on the bounds and the cursor, so walking a hundred thousand
 * objects costs what the pages hold, not what lies before them. Times and ids sit in two parallel arrays
 * (oldest first), not one object per entry: seeded accounts hold hundreds of thousands.
 */
export class Timeline {
  #at: number[] = [];
  #ids: string[] = [];

  get size(): number {
    return this.#ids.length;
  }

  add(stamp: Stamp): void {
    const last = this.#ids.length - 1;
    // Objects nearly always arrive newest: an append, without a search.
    if (last < 0 || compare(this.#stampAt(last), stamp) < 0) {
      this.#at.push(stamp.at);
      this.#ids.push(stamp.id);
    } else {
      const index = this.#firstNotBelow(stamp);
      this.#at.splice(index, 0, stamp.at);
      this.#ids.splice(index, 0, stamp.id);
    }
  }

  /** Many at once (seeding): appended, then sorted once if they did not arrive in order. */
  addMany(stamps: readonly Stamp[]): void {
    const before = this.#ids.length;
    for (const stamp of stamps) {
      this.#at.push(stamp.at);
      this.#ids.push(stamp.id);
    }
    let ordered = true;
    for (let i = Math.max(1, before); i < this.#ids.length && ordered; i++) {
      if (compare(this.#stampAt(i - 1), this.#stampAt(i)) > 0) ordered = false;
    }
    if (ordered) return;
    const order = this.#ids.map((_, index) => index);
    order.sort((x, y) => compare(this.#stampAt(x), this.#stampAt(y)));
    this.#at = order.map((index) => this.#at[index]!);
    this.#ids = order.map((index) => this.#ids[index]!);
  }

  page(query: PageQuery): Page {
    const ids = this.#ids;
    let low = query.minAt === undefined ? 0 : this.#firstNotBelow({ at: query.minAt, id: '' });
    let high = query.maxAt === undefined ? ids.length : this.#firstAbove(query.maxAt);
    if (query.olderThan) high = Math.min(high, this.#firstNotBelow(query.olderThan));
    if (query.newerThan) low = Math.max(low, this.#firstAboveStamp(query.newerThan));
    const accept = query.accept ?? (() => true);
    const found: string[] = [];
    let hasMore = false;
    const step = query.newerThan ? 1 : -1;
    for (let i = query.newerThan ? low : high - 1; i >= low && i < high; i += step) {
      const id = ids[i]!;
      if (!accept(id)) continue;
      if (found.length === query.limit) {
        hasMore = true;
        break;
      }
      found.push(id);
    }
    if (query.newerThan) found.reverse();
    return { ids: found, hasMore };
  }

  #stampAt(index: number): Stamp {
    return { at: this.#at[index]!, id: this.#ids[index]! };
  }

  /** The first index whose entry is not below `stamp`. */
  #firstNotBelow(stamp: Stamp): number {
    let low = 0;
    let high = this.#ids.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const at = this.#at[middle]!;
      const below = at < stamp.at || (at === stamp.at && this.#ids[middle]! < stamp.id);
      if (below) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  #firstAboveStamp(stamp: Stamp): number {
    const index = this.#firstNotBelow(stamp);
    return index < this.#ids.length && this.#at[index] === stamp.at && this.#ids[index] === stamp.id
      ? index + 1
      : index;
  }

  /** The first index whose time is after `at`. */
  #firstAbove(at: number): number {
    let low = 0;
    let high = this.#at.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#at[middle]! <= at) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
