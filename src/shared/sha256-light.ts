/**
 * SHA-256 (FIPS 180-4) for the few short hashes of an action's start, in JavaScript that V8's
 * interpreter runs without allocating per operation. A start runs this code cold, in the interpreter, where a
 * 32-bit word that does not fit a small integer (31 bits) is boxed as a heap number on every
 * operation: @noble/hashes, used before, allocated 6-8 KB per 64-byte block that way (run-prompt's
 * three hashes about 110 KB, a third of what pushed its start into a young-generation collection)
 * and took 2-6 ms for them. Here every word is two 16-bit halves, so every intermediate value is a
 * small integer. test/property/sha256.test.ts holds it to node:crypto's digests.
 */

// prettier-ignore
const K_WORDS = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];
const INITIAL_WORDS = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
const HEX = '0123456789abcdef';

/** Words as [high 16 bits, low 16 bits, ...]: every element a small integer. */
function halves(words: readonly number[]): Uint16Array {
  const out = new Uint16Array(words.length * 2);
  words.forEach((word, index) => {
    out[2 * index] = word >>> 16;
    out[2 * index + 1] = word & 0xffff;
  });
  return out;
}

let roundConstants: Uint16Array | undefined;
/** The message schedule of the block being hashed, as halves. */
const schedule = new Uint16Array(128);

/** The message padded to whole 64-byte blocks, its length in bits at the end (big-endian). */
function padded(text: string): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  const length = bytes.length;
  const size = (((length + 8) >> 6) + 1) * 64;
  const out = new Uint8Array(size);
  out.set(bytes);
  out[length] = 0x80;
  const bits = length * 8; // low 32 bits below; `>>>` takes them modulo 2^32
  out[size - 5] = Math.floor(length / 0x20000000) & 0xff;
  out[size - 4] = (bits >>> 24) & 0xff;
  out[size - 3] = (bits >>> 16) & 0xff;
  out[size - 2] = (bits >>> 8) & 0xff;
  out[size - 1] = bits & 0xff;
  return out;
}

/**
 * Hashes every 64-byte block of `message` into `state` (eight words as halves). One function, so
 * that V8 counts its loops against one budget: split into two, both went to the optimizing
 * compiler after a few blocks, which on a busy 2-core machine cost the start more than it saved.
 * Schedule: σ0 = rotr 7 ^ rotr 18 ^ shr 3, σ1 = rotr 17 ^ rotr 19 ^ shr 10. Rounds: Σ1 = rotr 6 ^
 * rotr 11 ^ rotr 25, Σ0 = rotr 2 ^ rotr 13 ^ rotr 22. A rotation by r < 16 of (h, l) is
 * (h >>> r | (l & mask) << 16 - r, l >>> r | (h & mask) << 16 - r), by 16 + r the same with the
 * halves swapped; sums carry from the low half into the high half. Indexes stay inside the arrays:
 * `!` rather than `?? 0`, which is one more check per read in the interpreter (measured slower).
 */
function hashBlocks(message: Uint8Array, state: Uint16Array, k: Uint16Array): void {
  const w = schedule;
  for (let offset = 0; offset < message.length; offset += 64) {
    for (let t = 0; t < 16; t++) {
      const at = offset + 4 * t;
      w[2 * t] = (message[at]! << 8) | message[at + 1]!;
      w[2 * t + 1] = (message[at + 2]! << 8) | message[at + 3]!;
    }
    for (let t = 16; t < 64; t++) {
      let h = w[2 * t - 30]!;
      let l = w[2 * t - 29]!;
      const s0h = ((h >>> 7) | ((l & 0x7f) << 9)) ^ ((l >>> 2) | ((h & 0x3) << 14)) ^ (h >>> 3);
      const s0l = ((l >>> 7) | ((h & 0x7f) << 9)) ^ ((h >>> 2) | ((l & 0x3) << 14)) ^ ((l >>> 3) | ((h & 0x7) << 13));
      h = w[2 * t - 4]!;
      l = w[2 * t - 3]!;
      const s1h = ((l >>> 1) | ((h & 0x1) << 15)) ^ ((l >>> 3) | ((h & 0x7) << 13)) ^ (h >>> 10);
      const s1l = ((h >>> 1) | ((l & 0x1) << 15)) ^ ((h >>> 3) | ((l & 0x7) << 13)) ^ ((l >>> 10) | ((h & 0x3ff) << 6));
      const low = w[2 * t - 31]! + s0l + w[2 * t - 13]! + s1l;
      w[2 * t + 1] = low & 0xffff;
      w[2 * t] = w[2 * t - 32]! + s0h + w[2 * t - 14]! + s1h + (low >>> 16);
    }
    let ah = state[0]!,
      al = state[1]!,
      bh = state[2]!,
      bl = state[3]!;
    let ch = state[4]!,
      cl = state[5]!,
      dh = state[6]!,
      dl = state[7]!;
    let eh = state[8]!,
      el = state[9]!,
      fh = state[10]!,
      fl = state[11]!;
    let gh = state[12]!,
      gl = state[13]!,
      hh = state[14]!,
      hl = state[15]!;
    for (let t = 0; t < 64; t++) {
      const s1h =
        ((eh >>> 6) | ((el & 0x3f) << 10)) ^ ((eh >>> 11) | ((el & 0x7ff) << 5)) ^ ((el >>> 9) | ((eh & 0x1ff) << 7));
      const s1l =
        ((el >>> 6) | ((eh & 0x3f) << 10)) ^ ((el >>> 11) | ((eh & 0x7ff) << 5)) ^ ((eh >>> 9) | ((el & 0x1ff) << 7));
      const t1l = hl + s1l + ((el & fl) ^ (~el & gl & 0xffff)) + k[2 * t + 1]! + w[2 * t + 1]!;
      const t1h = hh + s1h + ((eh & fh) ^ (~eh & gh & 0xffff)) + k[2 * t]! + w[2 * t]! + (t1l >>> 16);
      const s0h =
        ((ah >>> 2) | ((al & 0x3) << 14)) ^ ((ah >>> 13) | ((al & 0x1fff) << 3)) ^ ((al >>> 6) | ((ah & 0x3f) << 10));
      const s0l =
        ((al >>> 2) | ((ah & 0x3) << 14)) ^ ((al >>> 13) | ((ah & 0x1fff) << 3)) ^ ((ah >>> 6) | ((al & 0x3f) << 10));
      const t2l = s0l + ((al & bl) ^ (al & cl) ^ (bl & cl));
      const t2h = s0h + ((ah & bh) ^ (ah & ch) ^ (bh & ch)) + (t2l >>> 16);
      hh = gh;
      hl = gl;
      gh = fh;
      gl = fl;
      fh = eh;
      fl = el;
      const newEl = dl + (t1l & 0xffff);
      eh = (dh + t1h + (newEl >>> 16)) & 0xffff;
      el = newEl & 0xffff;
      dh = ch;
      dl = cl;
      ch = bh;
      cl = bl;
      bh = ah;
      bl = al;
      const newAl = (t1l & 0xffff) + (t2l & 0xffff);
      ah = ((t1h & 0xffff) + (t2h & 0xffff) + (newAl >>> 16)) & 0xffff;
      al = newAl & 0xffff;
    }
    const added = [ah, al, bh, bl, ch, cl, dh, dl, eh, el, fh, fl, gh, gl, hh, hl];
    for (let i = 0; i < 16; i += 2) {
      // Uint16Array keeps the low 16 bits of what is stored: the sum modulo 2^16.
      const low = state[i + 1]! + added[i + 1]!;
      state[i + 1] = low;
      state[i] = state[i]! + added[i]! + (low >>> 16);
    }
  }
}

/** Hex SHA-256 of the UTF-8 encoding of `text` (lone surrogates as U+FFFD, as node:crypto does). */
export function lightSha256Hex(text: string): string {
  roundConstants ??= halves(K_WORDS);
  const message = padded(text);
  const state = halves(INITIAL_WORDS);
  hashBlocks(message, state, roundConstants);
  let hex = '';
  for (const half of state) {
    for (let shift = 12; shift >= 0; shift -= 4) hex += HEX.charAt((half >>> shift) & 15);
  }
  return hex;
}
