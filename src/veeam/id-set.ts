/**
 * The restore point ids seen during one read, to count a point delivered twice (a collection
 * that shifts between pages, a server that repeats records) only once.
 *
 * A read of a large appliance sees a million ids. As strings in a Set they cost about 80 bytes
 * each and keep every id string alive; in a hash table of their 128 bits, every id costs a cache
 * miss in a table of tens of megabytes, which is most of what deduplicating costs (bench/, part
 * 1). So a uuid written in lower case (what appliances send) goes through a Bloom filter of ten
 * bits an id, small enough to stay in the processor's caches, and into an append-only log:
 *
 * - the filter says "never seen" for almost every new id: the item is used at once;
 * - for the rest (a duplicate, or about one new id in fifty), the item is held, and `settle()`
 *   decides, exactly, with one pass over the log: items whose id was never used come back to be
 *   used, in the order they came; the others were duplicates.
 *
 * Any other id is kept in a Set<string>, exactly, at once. The result is exactly that of a
 * Set<string> (the first item of each id is the one used; a lower-case uuid and any other
 * spelling of it are different ids), only some items are used at `settle()` instead of at once.
 */

/** Bits of filter per id; with three probes in a block, about 2% of new ids are held when the filter is full. */
const BITS_PER_ID = 10;
const PROBES = 3;

/** Hex digit values by char code; -1 for anything that is not a lower-case hex digit. */
const HEX = new Int8Array(128).fill(-1);
for (let digit = 0; digit < 16; digit++) HEX['0123456789abcdef'.charCodeAt(digit)] = digit;

/** Eight lower-case hex digits from `at` as an unsigned 32-bit number, or -1. */
function hexWord(id: string, at: number): number {
  let word = 0;
  for (let index = at; index < at + 8; index++) {
    const code = id.charCodeAt(index);
    const value = code < 128 ? HEX[code]! : -1;
    if (value < 0) return -1;
    word = (word << 4) | value;
  }
  return word >>> 0;
}

/** Four lower-case hex digits from `at`, or -1. */
function hexHalf(id: string, at: number): number {
  let half = 0;
  for (let index = at; index < at + 4; index++) {
    const code = id.charCodeAt(index);
    const value = code < 128 ? HEX[code]! : -1;
    if (value < 0) return -1;
    half = (half << 4) | value;
  }
  return half;
}

/** The 128 bits of a lower-case 8-4-4-4-12 uuid, written into `key`; false for any other id. */
function parseUuid(id: string, key: Uint32Array): boolean {
  if (id.length !== 36 || id.charCodeAt(8) !== 45 || id.charCodeAt(13) !== 45 || id.charCodeAt(18) !== 45 || id.charCodeAt(23) !== 45) return false;
  const a = hexWord(id, 0);
  const b1 = hexHalf(id, 9);
  const b2 = hexHalf(id, 14);
  const c1 = hexHalf(id, 19);
  const c2 = hexHalf(id, 24);
  const d = hexWord(id, 28);
  if (a < 0 || b1 < 0 || b2 < 0 || c1 < 0 || c2 < 0 || d < 0) return false;
  key[0] = a;
  key[1] = ((b1 << 16) | b2) >>> 0;
  key[2] = ((c1 << 16) | c2) >>> 0;
  key[3] = d;
  return true;
}

/** Two independent 32-bit hashes of a 128-bit key. */
function hash1(a: number, b: number, c: number, d: number): number {
  let hash = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b, 0xc2b2ae35) ^ Math.imul(c, 0x27d4eb2f) ^ Math.imul(d, 0x165667b1);
  hash ^= hash >>> 15;
  hash = Math.imul(hash, 0x2c1b3c6d);
  return (hash ^ (hash >>> 12)) >>> 0;
}

function hash2(a: number, b: number, c: number, d: number): number {
  let hash = Math.imul(d ^ 0x7f4a7c15, 0xcc9e2d51) ^ Math.imul(c, 0x1b873593) ^ Math.imul(b, 0xe6546b64) ^ Math.imul(a, 0x85ebca77);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae3d);
  return (hash ^ (hash >>> 16)) >>> 0;
}

export class SeenIds<T> {
  /** The filter's bits, in blocks of 512; their number is a power of two. */
  #bits: Uint32Array;
  #bitCount: number;
  #blockMask: number;
  /** Every uuid used so far, four words each, in order. */
  #log: Uint32Array;
  #logged = 0;
  readonly #others = new Set<string>();
  /** Items held until settle(), with their uuids (four words each). */
  #held: T[] = [];
  #heldKeys: Uint32Array = new Uint32Array(64);
  readonly #key = new Uint32Array(4);

  constructor(expectedIds = 1024) {
    this.#bits = new Uint32Array(0);
    this.#bitCount = 0;
    this.#blockMask = 0;
    this.#log = new Uint32Array(Math.max(64, expectedIds * 4));
    this.#resize(expectedIds);
  }

  /** Items used so far (at once, or from settle()). */
  get used(): number {
    return this.#logged + this.#others.size;
  }

  /** Items held, waiting for settle(). */
  get held(): number {
    return this.#held.length;
  }

  /**
   * True: the id is new and the item may be used now. False: a duplicate. Null: the id may have
   * been seen; the item is held and settle() will say.
   */
  offer(id: string, item: T): boolean | null {
    const key = this.#key;
    if (!parseUuid(id, key)) {
      const before = this.#others.size;
      this.#others.add(id);
      return this.#others.size !== before;
    }
    const a = key[0]!;
    const b = key[1]!;
    const c = key[2]!;
    const d = key[3]!;
    if (this.#maybeSeen(a, b, c, d)) {
      const at = this.#held.length * 4;
      if (at + 4 > this.#heldKeys.length) this.#heldKeys = grown(this.#heldKeys);
      this.#heldKeys.set(key, at);
      this.#held.push(item);
      return null;
    }
    this.#use(a, b, c, d);
    return true;
  }

  /**
   * The held items whose id had not been used, in the order they were offered (they count as
   * used from now on), and how many of the held items were duplicates.
   */
  settle(): { readonly fresh: T[]; readonly duplicates: number } {
    const held = this.#held;
    if (held.length === 0) return { fresh: [], duplicates: 0 };
    const keys = this.#heldKeys;
    // A small table of the held keys (it stays in the caches), then one pass over the log.
    const slots = 2 ** Math.ceil(Math.log2(held.length * 2 + 2));
    const mask = slots - 1;
    const table = new Int32Array(slots).fill(-1);
    const duplicate = new Uint8Array(held.length);
    const find = (a: number, b: number, c: number, d: number): number => {
      for (let slot = hash1(a, b, c, d) & mask; ; slot = (slot + 1) & mask) {
        const index = table[slot]!;
        if (index < 0) return -1 - slot;
        const at = index * 4;
        if (keys[at] === a && keys[at + 1] === b && keys[at + 2] === c && keys[at + 3] === d) return index;
      }
    };
    for (let index = 0; index < held.length; index++) {
      const at = index * 4;
      const found = find(keys[at]!, keys[at + 1]!, keys[at + 2]!, keys[at + 3]!);
      if (found >= 0) duplicate[index] = 1; // an earlier held item has this id
      else table[-1 - found] = index;
    }
    const log = this.#log;
    for (let at = 0; at < this.#logged * 4; at += 4) {
      const found = find(log[at]!, log[at + 1]!, log[at + 2]!, log[at + 3]!);
      if (found >= 0) duplicate[found] = 1; // already used
    }
    const fresh: T[] = [];
    for (let index = 0; index < held.length; index++) {
      if (duplicate[index]) continue;
      const at = index * 4;
      this.#use(keys[at]!, keys[at + 1]!, keys[at + 2]!, keys[at + 3]!);
      fresh.push(held[index]!);
    }
    this.#held = [];
    return { fresh, duplicates: held.length - fresh.length };
  }

  /** The filter is blocked: an id's bits all lie in one 64-byte block, so one cache line is read. */
  #maybeSeen(a: number, b: number, c: number, d: number): boolean {
    const bits = this.#bits;
    const block = (hash1(a, b, c, d) & this.#blockMask) * 16;
    const within = hash2(a, b, c, d);
    for (let probe = 0; probe < PROBES; probe++) {
      const bit = (within >>> (probe * 9)) & 511;
      if ((bits[block + (bit >>> 5)]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }

  #use(a: number, b: number, c: number, d: number): void {
    if (this.#logged + 1 > this.#bitCount / BITS_PER_ID) this.#resize((this.#logged + 1) * 4);
    const at = this.#logged * 4;
    if (at + 4 > this.#log.length) this.#log = grown(this.#log);
    const log = this.#log;
    log[at] = a;
    log[at + 1] = b;
    log[at + 2] = c;
    log[at + 3] = d;
    this.#logged++;
    this.#mark(a, b, c, d);
  }

  #mark(a: number, b: number, c: number, d: number): void {
    const bits = this.#bits;
    const block = (hash1(a, b, c, d) & this.#blockMask) * 16;
    const within = hash2(a, b, c, d);
    for (let probe = 0; probe < PROBES; probe++) {
      const bit = (within >>> (probe * 9)) & 511;
      bits[block + (bit >>> 5)] = bits[block + (bit >>> 5)]! | (1 << (bit & 31));
    }
  }

  /** A filter for `ids` ids, refilled from the log (one pass, in order). */
  #resize(ids: number): void {
    const bits = Math.max(1 << 13, 2 ** Math.ceil(Math.log2(ids * BITS_PER_ID)));
    this.#bits = new Uint32Array(bits / 32);
    this.#bitCount = bits;
    this.#blockMask = bits / 512 - 1;
    const log = this.#log;
    for (let at = 0; at < this.#logged * 4; at += 4) this.#mark(log[at]!, log[at + 1]!, log[at + 2]!, log[at + 3]!);
  }
}

function grown(array: Uint32Array): Uint32Array {
  const bigger = new Uint32Array(array.length * 2);
  bigger.set(array);
  return bigger;
}
