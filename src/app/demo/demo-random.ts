/**
 * Deterministic randomness for the demo dataset: a seeded PRNG (mulberry32) and generators of
 * valid identifiers (ICCID and IMEI with Luhn check digit, US MSISDN, EID with ISO 7064
 * mod 97-10 check digits). No `Math.random`, no clock.
 */
import { luhnCheckDigit } from '../../domain/identifiers/luhn.ts';

/** A seeded pseudo-random generator. */
export interface Prng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max]. */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** One key of `weights`, chosen proportionally to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K;
  /** `count` random decimal digits. */
  digits(count: number): string;
}

/**
 * Creates a mulberry32 generator.
 *
 * @example
 * const prng = createPrng(42);
 * prng.int(1, 6); // same sequence on every run
 */
export function createPrng(seed: number): Prng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick<T>(items: readonly T[]): T {
      const item = items[int(0, items.length - 1)];
      if (item === undefined) throw new RangeError('pick from an empty list');
      return item;
    },
    weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
      const entries = Object.entries(weights) as [K, number][];
      const total = entries.reduce((sum, [, w]) => sum + w, 0);
      let r = next() * total;
      for (const [key, w] of entries) {
        r -= w;
        if (r < 0) return key;
      }
      const last = entries.at(-1);
      if (last === undefined) throw new RangeError('weighted pick from no weights');
      return last[0];
    },
    digits(count) {
      let out = '';
      for (let i = 0; i < count; i++) out += String(int(0, 9));
      return out;
    },
  };
}

/** Generates identifiers that are valid and unique within one generator. */
export interface IdentifierFactory {
  /** ICCID of `length` digits starting with `prefix` (e.g. `8901410`), Luhn check digit last. */
  iccid(prefix: string, length: 19 | 20): string;
  /** 15-digit IMEI: 8-digit TAC, 6-digit serial, Luhn check digit. */
  imei(tac: string): string;
  /** 11-digit North American MSISDN: 1 + NPA + NXX + line. */
  msisdn(): string;
  /** 32-digit EID whose value mod 97 is 1 (ISO 7064 mod 97-10). */
  eid(): string;
}

/** Creates an identifier factory drawing from `prng`. */
export function createIdentifierFactory(prng: Prng): IdentifierFactory {
  const used = new Set<string>();
  const unique = (make: () => string): string => {
    for (;;) {
      const value = make();
      if (!used.has(value)) {
        used.add(value);
        return value;
      }
    }
  };
  return {
    iccid: (prefix, length) =>
      unique(() => {
        const payload = prefix + prng.digits(length - 1 - prefix.length);
        return payload + luhnCheckDigit(payload);
      }),
    imei: (tac) =>
      unique(() => {
        const payload = tac + prng.digits(6);
        return payload + luhnCheckDigit(payload);
      }),
    msisdn: () =>
      unique(() => {
        const npa = `${prng.int(2, 9)}${prng.int(0, 8)}${prng.int(0, 9)}`;
        const nxx = `${prng.int(2, 9)}${prng.digits(2)}`;
        return `1${npa}${nxx}${prng.digits(4)}`;
      }),
    eid: () =>
      unique(() => {
        const base = `89049032${prng.digits(22)}`;
        const check = 98n - (BigInt(`${base}00`) % 97n);
        return base + check.toString().padStart(2, '0');
      }),
  };
}
