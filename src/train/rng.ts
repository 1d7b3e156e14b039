/** Named, seeded random streams. Each concern (init, shuffle, augmentation, dropout, subset)
 * draws from its own stream, so changing how one is consumed never shifts the others. */
import seedrandom from 'seedrandom';

export type StreamName = 'init' | 'shuffle' | 'augment' | 'dropout' | 'subset';

export interface Stream {
  /** uniform in [0, 1) with 53-bit resolution */
  next(): number;
  state(): object;
}

export function createStream(seed: number, name: StreamName, state?: object): Stream {
  const prng = seedrandom.alea(`normreg:${seed}:${name}`, { state: (state ?? true) as true });
  return { next: () => prng.double(), state: () => prng.state() };
}

export type Streams = Record<StreamName, Stream>;

export function createStreams(seed: number): Streams {
  const names: StreamName[] = ['init', 'shuffle', 'augment', 'dropout', 'subset'];
  return Object.fromEntries(names.map((n) => [n, createStream(seed, n)])) as Streams;
}

/** Fisher-Yates over [0, n) driven by `rand`. */
export function permutation(n: number, rand: () => number): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}
