/**
 * Unnormalised DCT-II (scipy.fftpack.dct, type 2, norm=None) computed with the same
 * floating-point operations, in the same order, as scipy's pocketfft C++ backend
 * (scipy.fft._pocketfft, checked bit for bit against scipy 1.10.1): pre-processing,
 * a real backward FFT (rfftp with radix-4 and radix-2 passes) and the DCT post-twiddle.
 * Only power-of-two lengths are supported: they need no radix-3/5/generic passes, and
 * their angle step pi/(4n) is exact in double.
 */

/** cos/sin of 2*pi*idx/n, built the way pocketfft's `sincos_2pibyn` builds them. */
interface SinCosTable {
  re(idx: number): number;
  im(idx: number): number;
}

/** One octant-reduced evaluation; `ang` is pi/(4n), so x*ang is an eighth-turn fraction. */
function octantValue(x0: number, n: number, ang: number): [number, number] {
  let x = x0 * 8;
  if (x < 4 * n) {
    if (x < 2 * n) {
      if (x < n) return [Math.cos(x * ang), Math.sin(x * ang)];
      return [Math.sin((2 * n - x) * ang), Math.cos((2 * n - x) * ang)];
    }
    x -= 2 * n;
    if (x < n) return [-Math.sin(x * ang), Math.cos(x * ang)];
    return [-Math.cos((2 * n - x) * ang), Math.sin((2 * n - x) * ang)];
  }
  x = 8 * n - x;
  if (x < 2 * n) {
    if (x < n) return [Math.cos(x * ang), -Math.sin(x * ang)];
    return [Math.sin((2 * n - x) * ang), -Math.cos((2 * n - x) * ang)];
  }
  x -= 2 * n;
  if (x < n) return [-Math.sin(x * ang), -Math.cos(x * ang)];
  return [-Math.cos((2 * n - x) * ang), -Math.sin((2 * n - x) * ang)];
}

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;
}

function sinCos2PiByN(n: number): SinCosTable {
  // pocketfft rounds 0.25L*pi/n from long double; for n = 2^k that equals Math.PI/4/n exactly.
  const ang = Math.PI / 4 / n;
  const nval = Math.floor((n + 2) / 2);
  let shift = 1;
  while ((1 << shift) * (1 << shift) < nval) shift++;
  const mask = (1 << shift) - 1;
  const size1 = mask + 1;
  const size2 = Math.floor((nval + mask) / (mask + 1));
  const v1 = new Float64Array(2 * size1);
  const v2 = new Float64Array(2 * size2);
  v1[0] = 1;
  v2[0] = 1;
  for (let i = 1; i < size1; i++) [v1[2 * i], v1[2 * i + 1]] = octantValue(i, n, ang);
  for (let i = 1; i < size2; i++) [v2[2 * i], v2[2 * i + 1]] = octantValue(i * (mask + 1), n, ang);
  // The table holds only the first half; the second half is the conjugate mirror.
  const parts = (idx: number): [number, number, number, number] => {
    const j = 2 * idx <= n ? idx : n - idx;
    const a = 2 * (j & mask);
    const b = 2 * (j >> shift);
    return [v1[a] as number, v1[a + 1] as number, v2[b] as number, v2[b + 1] as number];
  };
  return {
    re(idx) {
      const [r1, i1, r2, i2] = parts(idx);
      return r1 * r2 - i1 * i2;
    },
    im(idx) {
      const [r1, i1, r2, i2] = parts(idx);
      const v = r1 * i2 + i1 * r2;
      return 2 * idx <= n ? v : -v;
    },
  };
}

/** A radix pass of the real backward FFT with its twiddles. */
interface FactorPass {
  radix: 2 | 4;
  tw: Float64Array;
}

/** Precomputed state for one transform length. */
interface DctPlan {
  n: number;
  passes: FactorPass[];
  postTwiddle: Float64Array;
  scratch: Float64Array;
}

function factorize(n: number): (2 | 4)[] {
  const fact: (2 | 4)[] = [];
  let len = n;
  while (len % 4 === 0) {
    fact.push(4);
    len /= 4;
  }
  if (len % 2 === 0) {
    len /= 2;
    // pocketfft moves the factor 2 to the front.
    fact.push(2);
    const last = fact.length - 1;
    [fact[0], fact[last]] = [fact[last] as 2 | 4, fact[0] as 2 | 4];
  }
  return fact;
}

function makePasses(n: number): FactorPass[] {
  const twid = sinCos2PiByN(n);
  const fact = factorize(n);
  const passes: FactorPass[] = [];
  let l1 = 1;
  for (let k = 0; k < fact.length; k++) {
    const ip = fact[k] as 2 | 4;
    const ido = n / (l1 * ip);
    const tw = new Float64Array(k < fact.length - 1 ? (ip - 1) * (ido - 1) : 0);
    if (k < fact.length - 1) {
      for (let j = 1; j < ip; j++) {
        for (let i = 1; i <= (ido - 1) >> 1; i++) {
          tw[(j - 1) * (ido - 1) + 2 * i - 2] = twid.re(j * l1 * i);
          tw[(j - 1) * (ido - 1) + 2 * i - 1] = twid.im(j * l1 * i);
        }
      }
    }
    passes.push({ radix: ip, tw });
    l1 *= ip;
  }
  return passes;
}

const plans = new Map<number, DctPlan>();

function getPlan(n: number): DctPlan {
  const hit = plans.get(n);
  if (hit) return hit;
  if (!isPowerOfTwo(n) || n < 2) throw new RangeError(`DCT length must be a power of two >= 2, got ${n}`);
  const tw = sinCos2PiByN(4 * n);
  const postTwiddle = new Float64Array(n);
  for (let i = 0; i < n; i++) postTwiddle[i] = tw.re(i + 1);
  const plan = { n, passes: makePasses(n), postTwiddle, scratch: new Float64Array(n) };
  plans.set(n, plan);
  return plan;
}

function radb2(ido: number, l1: number, cc: Float64Array, ch: Float64Array, wa: Float64Array): void {
  const CC = (a: number, b: number, c: number) => a + ido * (b + 2 * c);
  const CH = (a: number, b: number, c: number) => a + ido * (b + l1 * c);
  for (let k = 0; k < l1; k++) {
    const x = cc[CC(0, 0, k)] as number;
    const y = cc[CC(ido - 1, 1, k)] as number;
    ch[CH(0, k, 0)] = x + y;
    ch[CH(0, k, 1)] = x - y;
  }
  if ((ido & 1) === 0) {
    for (let k = 0; k < l1; k++) {
      ch[CH(ido - 1, k, 0)] = 2 * (cc[CC(ido - 1, 0, k)] as number);
      ch[CH(ido - 1, k, 1)] = -2 * (cc[CC(0, 1, k)] as number);
    }
  }
  if (ido <= 2) return;
  for (let k = 0; k < l1; k++) {
    for (let i = 2; i < ido; i += 2) {
      const ic = ido - i;
      const a = cc[CC(i - 1, 0, k)] as number;
      const b = cc[CC(ic - 1, 1, k)] as number;
      ch[CH(i - 1, k, 0)] = a + b;
      const tr2 = a - b;
      const c = cc[CC(i, 0, k)] as number;
      const d = cc[CC(ic, 1, k)] as number;
      const ti2 = c + d;
      ch[CH(i, k, 0)] = c - d;
      const wr = wa[i - 2] as number;
      const wi = wa[i - 1] as number;
      ch[CH(i, k, 1)] = wr * ti2 + wi * tr2;
      ch[CH(i - 1, k, 1)] = wr * tr2 - wi * ti2;
    }
  }
}

function radb4(ido: number, l1: number, cc: Float64Array, ch: Float64Array, wa: Float64Array): void {
  const SQRT2 = 1.4142135623730951;
  const CC = (a: number, b: number, c: number) => cc[a + ido * (b + 4 * c)] as number;
  const CH = (a: number, b: number, c: number) => a + ido * (b + l1 * c);
  for (let k = 0; k < l1; k++) {
    const tr2 = CC(0, 0, k) + CC(ido - 1, 3, k);
    const tr1 = CC(0, 0, k) - CC(ido - 1, 3, k);
    const tr3 = 2 * CC(ido - 1, 1, k);
    const tr4 = 2 * CC(0, 2, k);
    ch[CH(0, k, 0)] = tr2 + tr3;
    ch[CH(0, k, 2)] = tr2 - tr3;
    ch[CH(0, k, 3)] = tr1 + tr4;
    ch[CH(0, k, 1)] = tr1 - tr4;
  }
  if ((ido & 1) === 0) {
    for (let k = 0; k < l1; k++) {
      const ti1 = CC(0, 3, k) + CC(0, 1, k);
      const ti2 = CC(0, 3, k) - CC(0, 1, k);
      const tr2 = CC(ido - 1, 0, k) + CC(ido - 1, 2, k);
      const tr1 = CC(ido - 1, 0, k) - CC(ido - 1, 2, k);
      ch[CH(ido - 1, k, 0)] = tr2 + tr2;
      ch[CH(ido - 1, k, 1)] = SQRT2 * (tr1 - ti1);
      ch[CH(ido - 1, k, 2)] = ti2 + ti2;
      ch[CH(ido - 1, k, 3)] = -SQRT2 * (tr1 + ti1);
    }
  }
  if (ido <= 2) return;
  const w1 = 0;
  const w2 = ido - 1;
  const w3 = 2 * (ido - 1);
  for (let k = 0; k < l1; k++) {
    for (let i = 2; i < ido; i += 2) {
      const ic = ido - i;
      const tr2 = CC(i - 1, 0, k) + CC(ic - 1, 3, k);
      const tr1 = CC(i - 1, 0, k) - CC(ic - 1, 3, k);
      const ti1 = CC(i, 0, k) + CC(ic, 3, k);
      const ti2 = CC(i, 0, k) - CC(ic, 3, k);
      const tr4 = CC(i, 2, k) + CC(ic, 1, k);
      const ti3 = CC(i, 2, k) - CC(ic, 1, k);
      const tr3 = CC(i - 1, 2, k) + CC(ic - 1, 1, k);
      const ti4 = CC(i - 1, 2, k) - CC(ic - 1, 1, k);
      ch[CH(i - 1, k, 0)] = tr2 + tr3;
      const cr3 = tr2 - tr3;
      ch[CH(i, k, 0)] = ti2 + ti3;
      const ci3 = ti2 - ti3;
      const cr4 = tr1 + tr4;
      const cr2 = tr1 - tr4;
      const ci2 = ti1 + ti4;
      const ci4 = ti1 - ti4;
      mulpm(ch, CH(i, k, 1), CH(i - 1, k, 1), wa, w1 + i - 2, ci2, cr2);
      mulpm(ch, CH(i, k, 2), CH(i - 1, k, 2), wa, w2 + i - 2, ci3, cr3);
      mulpm(ch, CH(i, k, 3), CH(i - 1, k, 3), wa, w3 + i - 2, ci4, cr4);
    }
  }
}

/** (out[ia] + i out[ib]) = conj(w) * (e + i f), as pocketfft's MULPM orders it. */
function mulpm(
  out: Float64Array, ia: number, ib: number, wa: Float64Array, iw: number, e: number, f: number,
): void {
  const c = wa[iw] as number;
  const d = wa[iw + 1] as number;
  out[ia] = c * e + d * f;
  out[ib] = c * f - d * e;
}

/** Real backward FFT (halfcomplex in, real out), unscaled, in place in `c`. */
function realBackwardFft(plan: DctPlan, c: Float64Array): void {
  const n = plan.n;
  let p1 = c;
  let p2 = plan.scratch;
  let l1 = 1;
  for (const pass of plan.passes) {
    const ido = n / (pass.radix * l1);
    if (pass.radix === 4) radb4(ido, l1, p1, p2, pass.tw);
    else radb2(ido, l1, p1, p2, pass.tw);
    [p1, p2] = [p2, p1];
    l1 *= pass.radix;
  }
  if (p1 !== c) c.set(p1);
}

/** DCT-II of `c` in place, unnormalised: y_k = 2 * sum_n x_n cos(pi k (2n+1) / (2N)). */
export function dct2InPlace(c: Float64Array): void {
  const plan = getPlan(c.length);
  const n = plan.n;
  const tw = plan.postTwiddle;
  c[0] = (c[0] as number) * 2;
  c[n - 1] = (c[n - 1] as number) * 2;
  for (let k = 1; k < n - 1; k += 2) {
    const a = c[k + 1] as number;
    const b = c[k] as number;
    c[k + 1] = a - b;
    c[k] = a + b;
  }
  realBackwardFft(plan, c);
  const ns2 = n >> 1;
  for (let k = 1, kc = n - 1; k < ns2; k++, kc--) {
    const t1 = (tw[k - 1] as number) * (c[kc] as number) + (tw[kc - 1] as number) * (c[k] as number);
    const t2 = (tw[k - 1] as number) * (c[k] as number) - (tw[kc - 1] as number) * (c[kc] as number);
    c[k] = 0.5 * (t1 + t2);
    c[kc] = 0.5 * (t1 - t2);
  }
  c[ns2] = (c[ns2] as number) * (tw[ns2 - 1] as number);
}

/** scipy.fftpack.dct(scipy.fftpack.dct(m, axis=0), axis=1) of a row-major rows x cols matrix. */
export function dct2d(m: Float64Array, rows: number, cols: number): Float64Array {
  const out = Float64Array.from(m);
  const col = new Float64Array(rows);
  for (let j = 0; j < cols; j++) {
    for (let i = 0; i < rows; i++) col[i] = out[i * cols + j] as number;
    dct2InPlace(col);
    for (let i = 0; i < rows; i++) out[i * cols + j] = col[i] as number;
  }
  for (let i = 0; i < rows; i++) dct2InPlace(out.subarray(i * cols, (i + 1) * cols));
  return out;
}
