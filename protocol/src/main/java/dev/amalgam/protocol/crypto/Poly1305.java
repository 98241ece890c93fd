package dev.amalgam.protocol.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The Poly1305 one-time authenticator of RFC 8439 section 2.5, written for speed on CPUs where the
 * JDK has no Poly1305 intrinsic (it has one for AVX-512 only).
 *
 * <p>The 130-bit accumulator and the clamped key {@code r} are held as five 26-bit limbs in longs:
 * a product of two limbs stays below 2^56, so the five products of one output limb add up without
 * carries, and {@code 2^130 = 5 (mod 2^130 - 5)} folds the high products back as multiples of 5.
 * Blocks are absorbed two at a time as {@code h = (h + m1) r^2 + m2 r}: the products of the second
 * block do not wait for the reduction of {@code h}, which keeps the multiplier busy.
 *
 * <p>One instance is reused for many messages: {@link #init} with a fresh one-time key, any number
 * of {@link #update} calls, then {@link #finish}. Not thread-safe.
 */
public final class Poly1305 {
  public static final int KEY_LENGTH = 32;
  public static final int TAG_LENGTH = 16;

  private static final int BLOCK = 16;
  private static final long LIMB = 0x3ff_ffffL;
  private static final long FULL_BLOCK_BIT = 1L << 24; // 2^128 as seen from the top limb
  private static final long CLAMP_LOW = 0x0fff_fffc_0fff_ffffL;
  private static final long CLAMP_HIGH = 0x0fff_fffc_0fff_fffcL;
  private static final VarHandle LE64 =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private long r0, r1, r2, r3, r4;
  private long rr0, rr1, rr2, rr3, rr4; // r^2
  private long h0, h1, h2, h3, h4;
  private long pad0, pad1; // the key's second half, added to the result
  private final byte[] pending = new byte[BLOCK];
  private int pendingLength;
  private boolean keyed;

  /** Starts a new message with the 32-byte one-time key at {@code key[offset..offset+32)}. */
  public void init(byte[] key, int offset) {
    if (key.length - offset < KEY_LENGTH || offset < 0) {
      throw new IllegalArgumentException(
          "poly1305: key needs 32 bytes at offset " + offset + ", the array has " + key.length);
    }
    long t0 = (long) LE64.get(key, offset) & CLAMP_LOW;
    long t1 = (long) LE64.get(key, offset + 8) & CLAMP_HIGH;
    r0 = t0 & LIMB;
    r1 = (t0 >>> 26) & LIMB;
    r2 = ((t0 >>> 52) | (t1 << 12)) & LIMB;
    r3 = (t1 >>> 14) & LIMB;
    r4 = t1 >>> 40;
    pad0 = (long) LE64.get(key, offset + 16);
    pad1 = (long) LE64.get(key, offset + 24);
    h0 = r0;
    h1 = r1;
    h2 = r2;
    h3 = r3;
    h4 = r4;
    multiplyByR();
    rr0 = h0;
    rr1 = h1;
    rr2 = h2;
    rr3 = h3;
    rr4 = h4;
    h0 = h1 = h2 = h3 = h4 = 0;
    pendingLength = 0;
    keyed = true;
  }

  /** Absorbs {@code in[offset..offset+length)}. */
  public void update(byte[] in, int offset, int length) {
    checkKeyed();
    if (pendingLength > 0) {
      int n = Math.min(BLOCK - pendingLength, length);
      System.arraycopy(in, offset, pending, pendingLength, n);
      pendingLength += n;
      offset += n;
      length -= n;
      if (pendingLength < BLOCK) {
        return;
      }
      absorbBlock(pending, 0, FULL_BLOCK_BIT);
      pendingLength = 0;
    }
    int whole = length & -BLOCK;
    if (whole > 0) {
      absorbBlocks(in, offset, whole);
    }
    pendingLength = length - whole;
    System.arraycopy(in, offset + whole, pending, 0, pendingLength);
  }

  /**
   * Completes a partial block with zeros and absorbs it as a full block: the "pad16" of the
   * ChaCha20-Poly1305 construction (RFC 8439 section 2.8), which differs from the padding of a
   * final partial block in {@link #finish}.
   */
  public void padToBlock() {
    checkKeyed();
    if (pendingLength > 0) {
      java.util.Arrays.fill(pending, pendingLength, BLOCK, (byte) 0);
      absorbBlock(pending, 0, FULL_BLOCK_BIT);
      pendingLength = 0;
    }
  }

  /**
   * Writes the 16-byte tag to {@code tag[offset..]}; the next message needs a new {@link #init}.
   */
  public void finish(byte[] tag, int offset) {
    checkKeyed();
    if (pendingLength > 0) {
      pending[pendingLength] = 1;
      java.util.Arrays.fill(pending, pendingLength + 1, BLOCK, (byte) 0);
      absorbBlock(pending, 0, 0);
      pendingLength = 0;
    }
    long c;
    c = h1 >>> 26;
    h1 &= LIMB;
    h2 += c;
    c = h2 >>> 26;
    h2 &= LIMB;
    h3 += c;
    c = h3 >>> 26;
    h3 &= LIMB;
    h4 += c;
    c = h4 >>> 26;
    h4 &= LIMB;
    h0 += c * 5;
    c = h0 >>> 26;
    h0 &= LIMB;
    h1 += c;
    // A second pass leaves h0..h3 below 2^26 and h4 at most 2^26 (h at most 2^130 + 2^104).
    c = h1 >>> 26;
    h1 &= LIMB;
    h2 += c;
    c = h2 >>> 26;
    h2 &= LIMB;
    h3 += c;
    c = h3 >>> 26;
    h3 &= LIMB;
    h4 += c;
    // g = h + 5 - 2^130 = h - p is non-negative exactly when h >= p.
    long g0 = h0 + 5;
    c = g0 >>> 26;
    g0 &= LIMB;
    long g1 = h1 + c;
    c = g1 >>> 26;
    g1 &= LIMB;
    long g2 = h2 + c;
    c = g2 >>> 26;
    g2 &= LIMB;
    long g3 = h3 + c;
    c = g3 >>> 26;
    g3 &= LIMB;
    long g4 = h4 + c - (1L << 26);
    long keepH = g4 >> 63; // all ones when h < p: constant time, no branch on secret data
    h0 = (h0 & keepH) | (g0 & ~keepH);
    h1 = (h1 & keepH) | (g1 & ~keepH);
    h2 = (h2 & keepH) | (g2 & ~keepH);
    h3 = (h3 & keepH) | (g3 & ~keepH);
    h4 = (h4 & keepH) | (g4 & LIMB & ~keepH);
    long lo = h0 | (h1 << 26) | (h2 << 52);
    long hi = (h2 >>> 12) | (h3 << 14) | (h4 << 40);
    long sumLo = lo + pad0;
    long carry = ((lo & pad0) | ((lo | pad0) & ~sumLo)) >>> 63; // carry out of bit 63, no branch
    long sumHi = hi + pad1 + carry;
    LE64.set(tag, offset, sumLo);
    LE64.set(tag, offset + 8, sumHi);
    h0 = h1 = h2 = h3 = h4 = 0;
    r0 = r1 = r2 = r3 = r4 = rr0 = rr1 = rr2 = rr3 = rr4 = pad0 = pad1 = 0;
    keyed = false;
  }

  private void checkKeyed() {
    if (!keyed) {
      throw new IllegalStateException("poly1305: init with a one-time key before use");
    }
  }

  /** One 16-byte block; {@code topBit} is 2^128 for full blocks and 0 for the final partial one. */
  private void absorbBlock(byte[] in, int offset, long topBit) {
    long t0 = (long) LE64.get(in, offset);
    long t1 = (long) LE64.get(in, offset + 8);
    h0 += t0 & LIMB;
    h1 += (t0 >>> 26) & LIMB;
    h2 += ((t0 >>> 52) | (t1 << 12)) & LIMB;
    h3 += (t1 >>> 14) & LIMB;
    h4 += (t1 >>> 40) | topBit;
    multiplyByR();
  }

  /** h = h * r mod p, partially reduced (limbs just above 2^26 are fine as input to the next). */
  private void multiplyByR() {
    long s1 = r1 * 5, s2 = r2 * 5, s3 = r3 * 5, s4 = r4 * 5;
    long d0 = h0 * r0 + h1 * s4 + h2 * s3 + h3 * s2 + h4 * s1;
    long d1 = h0 * r1 + h1 * r0 + h2 * s4 + h3 * s3 + h4 * s2;
    long d2 = h0 * r2 + h1 * r1 + h2 * r0 + h3 * s4 + h4 * s3;
    long d3 = h0 * r3 + h1 * r2 + h2 * r1 + h3 * r0 + h4 * s4;
    long d4 = h0 * r4 + h1 * r3 + h2 * r2 + h3 * r1 + h4 * r0;
    long c;
    c = d0 >>> 26;
    h0 = d0 & LIMB;
    d1 += c;
    c = d1 >>> 26;
    h1 = d1 & LIMB;
    d2 += c;
    c = d2 >>> 26;
    h2 = d2 & LIMB;
    d3 += c;
    c = d3 >>> 26;
    h3 = d3 & LIMB;
    d4 += c;
    c = d4 >>> 26;
    h4 = d4 & LIMB;
    h0 += c * 5;
    c = h0 >>> 26;
    h0 &= LIMB;
    h1 += c;
  }

  /** Full blocks, {@code length} a multiple of 16: two per step with r^2, then a single one. */
  private void absorbBlocks(byte[] in, int offset, int length) {
    long h0 = this.h0, h1 = this.h1, h2 = this.h2, h3 = this.h3, h4 = this.h4;
    final long r0 = this.r0, r1 = this.r1, r2 = this.r2, r3 = this.r3, r4 = this.r4;
    final long s1 = r1 * 5, s2 = r2 * 5, s3 = r3 * 5, s4 = r4 * 5;
    final long q0 = rr0, q1 = rr1, q2 = rr2, q3 = rr3, q4 = rr4;
    final long z1 = q1 * 5, z2 = q2 * 5, z3 = q3 * 5, z4 = q4 * 5;
    int end = offset + (length & -(2 * BLOCK));
    for (; offset < end; offset += 2 * BLOCK) {
      long t0 = (long) LE64.get(in, offset);
      long t1 = (long) LE64.get(in, offset + 8);
      long u0 = (long) LE64.get(in, offset + 16);
      long u1 = (long) LE64.get(in, offset + 24);
      h0 += t0 & LIMB;
      h1 += (t0 >>> 26) & LIMB;
      h2 += ((t0 >>> 52) | (t1 << 12)) & LIMB;
      h3 += (t1 >>> 14) & LIMB;
      h4 += (t1 >>> 40) | FULL_BLOCK_BIT;
      long m0 = u0 & LIMB;
      long m1 = (u0 >>> 26) & LIMB;
      long m2 = ((u0 >>> 52) | (u1 << 12)) & LIMB;
      long m3 = (u1 >>> 14) & LIMB;
      long m4 = (u1 >>> 40) | FULL_BLOCK_BIT;
      long d0 =
          h0 * q0
              + h1 * z4
              + h2 * z3
              + h3 * z2
              + h4 * z1
              + (m0 * r0 + m1 * s4 + m2 * s3 + m3 * s2 + m4 * s1);
      long d1 =
          h0 * q1
              + h1 * q0
              + h2 * z4
              + h3 * z3
              + h4 * z2
              + (m0 * r1 + m1 * r0 + m2 * s4 + m3 * s3 + m4 * s2);
      long d2 =
          h0 * q2
              + h1 * q1
              + h2 * q0
              + h3 * z4
              + h4 * z3
              + (m0 * r2 + m1 * r1 + m2 * r0 + m3 * s4 + m4 * s3);
      long d3 =
          h0 * q3
              + h1 * q2
              + h2 * q1
              + h3 * q0
              + h4 * z4
              + (m0 * r3 + m1 * r2 + m2 * r1 + m3 * r0 + m4 * s4);
      long d4 =
          h0 * q4
              + h1 * q3
              + h2 * q2
              + h3 * q1
              + h4 * q0
              + (m0 * r4 + m1 * r3 + m2 * r2 + m3 * r1 + m4 * r0);
      long c;
      c = d0 >>> 26;
      h0 = d0 & LIMB;
      d1 += c;
      c = d1 >>> 26;
      h1 = d1 & LIMB;
      d2 += c;
      c = d2 >>> 26;
      h2 = d2 & LIMB;
      d3 += c;
      c = d3 >>> 26;
      h3 = d3 & LIMB;
      d4 += c;
      c = d4 >>> 26;
      h4 = d4 & LIMB;
      h0 += c * 5;
      c = h0 >>> 26;
      h0 &= LIMB;
      h1 += c;
    }
    this.h0 = h0;
    this.h1 = h1;
    this.h2 = h2;
    this.h3 = h3;
    this.h4 = h4;
    if ((length & BLOCK) != 0) {
      absorbBlock(in, offset, FULL_BLOCK_BIT);
    }
  }
}
