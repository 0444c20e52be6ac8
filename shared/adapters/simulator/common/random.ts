/**
 * Deterministic randomness and ids. The simulator never calls `Math.random`: fault probabilities draw
 * from a seeded generator, and request/event ids come from counters, so a run can be replayed exactly.
 */

/** mulberry32: a small, fast 32-bit PRNG; good enough for fault dice, not for cryptography. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit integer mix (splitmix-style) so consecutive counters do not look consecutive. */
function mix32(x: number): number {
  let z = (x + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, '0').slice(-width);

/**
 * A UUID-shaped id (Alibaba request ids look like `C44F62BE-9CE7-4277-B117-69243F3988BF`) that is
 * unique per `(stream, counter)`: the counter is embedded verbatim in the first group.
 */
export function counterId(stream: number, counter: number): string {
  const a = mix32(counter ^ Math.imul(stream, 0x27d4eb2d));
  const b = mix32(a ^ counter);
  return `${hex(counter, 8)}-${hex(a >>> 16, 4)}-4${hex(a, 3)}-${hex(8 + (b >>> 30), 1)}${hex(b, 3)}-${hex(mix32(b), 8)}${hex(stream, 4)}`;
}
