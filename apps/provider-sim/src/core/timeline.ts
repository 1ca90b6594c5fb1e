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
 * objects costs what the pages hold, not what lies before them.
 */
export class Timeline {
  /** Oldest first. */
  #items: Stamp[] = [];

  get size(): number {
    return this.#items.length;
  }

  add(stamp: Stamp): void {
    const items = this.#items;
    // Objects nearly always arrive newest: an append, without a search.
    if (items.length === 0 || compare(items[items.length - 1]!, stamp) < 0) items.push(stamp);
    else items.splice(this.#firstNotBelow(stamp), 0, stamp);
  }

  /** Many at once (seeding): appended, then sorted once if they did not arrive in order. */
  addMany(stamps: readonly Stamp[]): void {
    const items = this.#items;
    const before = items.length;
    for (const stamp of stamps) items.push(stamp);
    let ordered = true;
    for (let i = Math.max(1, before); i < items.length && ordered; i++) {
      if (compare(items[i - 1]!, items[i]!) > 0) ordered = false;
    }
    if (!ordered) items.sort(compare);
  }

  page(query: PageQuery): Page {
    const items = this.#items;
    let low = query.minAt === undefined ? 0 : this.#firstNotBelow({ at: query.minAt, id: '' });
    let high = query.maxAt === undefined ? items.length : this.#firstAbove(query.maxAt);
    if (query.olderThan) high = Math.min(high, this.#firstNotBelow(query.olderThan));
    if (query.newerThan) low = Math.max(low, this.#firstAboveStamp(query.newerThan));
    const accept = query.accept ?? (() => true);
    const ids: string[] = [];
    let hasMore = false;
    if (query.newerThan) {
      for (let i = low; i < high; i++) {
        const id = items[i]!.id;
        if (!accept(id)) continue;
        if (ids.length === query.limit) {
          hasMore = true;
          break;
        }
        ids.push(id);
      }
      ids.reverse();
    } else {
      for (let i = high - 1; i >= low; i--) {
        const id = items[i]!.id;
        if (!accept(id)) continue;
        if (ids.length === query.limit) {
          hasMore = true;
          break;
        }
        ids.push(id);
      }
    }
    return { ids, hasMore };
  }

  /** The first index whose item is not below `stamp`. */
  #firstNotBelow(stamp: Stamp): number {
    let low = 0;
    let high = this.#items.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compare(this.#items[middle]!, stamp) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  #firstAboveStamp(stamp: Stamp): number {
    const index = this.#firstNotBelow(stamp);
    const found = this.#items[index];
    return found && compare(found, stamp) === 0 ? index + 1 : index;
  }

  /** The first index whose time is after `at`. */
  #firstAbove(at: number): number {
    let low = 0;
    let high = this.#items.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#items[middle]!.at <= at) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
