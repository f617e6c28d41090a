/** How many client addresses the limiter remembers at most (the oldest is forgotten first). */
export const MAX_TRACKED_CLIENTS = 10_000;

/** Options of a `GuessLimiter`. */
export interface GuessLimiterOptions {
  /** Failures a client may have per minute, in bursts of up to that many. */
  perMinute: number;
  /** Clients remembered at most (default `MAX_TRACKED_CLIENTS`). */
  maxClients?: number;
  /** A monotonic clock in milliseconds. */
  now?: () => number;
}

/**
 * Bounds token guessing: each client address (an IPv6 one by its /64) has a bucket of `perMinute` failed
 * sign-ins or bad tokens that refills over a minute; while it is empty, the client is refused before any token
 * is checked. Memory is bounded by `maxClients` buckets (forgetting one only gives that client a full bucket).
 */
export class GuessLimiter {
  readonly #perMinute: number;
  readonly #max: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(options: GuessLimiterOptions) {
    this.#perMinute = options.perMinute;
    this.#max = options.maxClients ?? MAX_TRACKED_CLIENTS;
    this.#now = options.now ?? (() => performance.now());
  }

  /** 0 when `address` may try, else the whole seconds until its next try. */
  retryAfter(address: string): number {
    const bucket = this.#refill(clientKey(address));
    if (!bucket || bucket.tokens >= 1) return 0;
    return Math.max(1, Math.ceil(((1 - bucket.tokens) * 60) / this.#perMinute));
  }

  /** Counts one failed sign-in or bad token from `address`. */
  fail(address: string): void {
    const key = clientKey(address);
    const bucket = this.#refill(key) ?? { tokens: this.#perMinute, at: this.#now() };
    bucket.tokens = Math.max(0, bucket.tokens - 1);
    // Newest last: the map's first entry is the one forgotten when it is full.
    this.#buckets.delete(key);
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > this.#max) this.#buckets.delete(this.#buckets.keys().next().value as string);
  }

  /** How many clients are remembered. */
  get size(): number {
    return this.#buckets.size;
  }

  #refill(key: string) {
    const bucket = this.#buckets.get(key);
    if (!bucket) return undefined;
    const now = this.#now();
    bucket.tokens = Math.min(this.#perMinute, bucket.tokens + ((now - bucket.at) * this.#perMinute) / 60_000);
    bucket.at = now;
    if (bucket.tokens >= this.#perMinute) {
      this.#buckets.delete(key); // a full bucket is the same as none
      return undefined;
    }
    return bucket;
  }
}

/** The key of a client address: IPv4 as it is (also when IPv4-mapped), IPv6 by its /64 (one host has many). */
export function clientKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (!address.includes(':')) return address;
  const [head = '', tail] = address.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
