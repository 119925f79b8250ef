/**
 * The engine's only source of randomness: a seeded PRNG (sfc32 seeded through splitmix32),
 * so the same seed always gives the same run. Math.random is banned in src/engine by lint.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform float in [0, 1). Go: rand.Float64(). */
  float64(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). Go: rand.Intn(n). */
  intn(n: number): number {
    return Math.floor(this.float64() * n);
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    let u = this.float64();
    while (u === 0) u = this.float64();
    const v = this.float64();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Lognormal from its median and p99 (apiserver-and-scale.md §10.2: σ = ln(p99/median)/2.326). */
  lognormal(median: number, p99: number): number {
    return this.lognormalWithSigma(median, lognormalSigma(median, p99));
  }

  /** lognormal() with σ already computed (lognormalSigma): the same value, one log fewer. */
  lognormalWithSigma(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** An independent child stream (for per-component randomness that must not shift others). */
  fork(salt: number): Rng {
    return new Rng((this.nextUint32() ^ Math.imul(salt | 0, 0x9e3779b1)) >>> 0);
  }
}

/** σ of a lognormal from its median and p99 (apiserver-and-scale.md §10.2). */
export function lognormalSigma(median: number, p99: number): number {
  return Math.log(p99 / median) / 2.326;
}
