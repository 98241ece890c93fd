package dev.amalgam.merge.eval;

import java.util.SplittableRandom;

/**
 * Multi-digit addition and subtraction. The response works column by column from the right, showing
 * carries and borrows, then gives the answer. Subtraction never goes below zero.
 */
public final class ArithmeticTask implements TaskFamily {

  private final int minDigits;
  private final int maxDigits;

  public ArithmeticTask() {
    this(2, 4);
  }

  public ArithmeticTask(int minDigits, int maxDigits) {
    if (minDigits < 1 || maxDigits < minDigits || maxDigits > 9) {
      throw new IllegalArgumentException(
          "arithmetic: digits must satisfy 1 <= min <= max <= 9, got "
              + minDigits
              + ".."
              + maxDigits);
    }
    this.minDigits = minDigits;
    this.maxDigits = maxDigits;
  }

  @Override
  public String name() {
    return "arithmetic";
  }

  @Override
  public TaskExample sample(SplittableRandom random) {
    long a = number(random);
    long b = number(random);
    boolean add = random.nextBoolean();
    if (!add && a < b) {
      long swap = a;
      a = b;
      b = swap;
    }
    return add ? addition(a, b) : subtraction(a, b);
  }

  private long number(SplittableRandom random) {
    int digits = minDigits + random.nextInt(maxDigits - minDigits + 1);
    long low = digits == 1 ? 0 : pow10(digits - 1);
    return low + random.nextLong(pow10(digits) - low);
  }

  static TaskExample addition(long a, long b) {
    StringBuilder work = new StringBuilder();
    int columns = Math.max(Long.toString(a).length(), Long.toString(b).length());
    long carry = 0;
    for (int i = 0; i < columns; i++) {
      long x = digit(a, i);
      long y = digit(b, i);
      long sum = x + y + carry;
      work.append(x).append('+').append(y);
      if (carry > 0) {
        work.append("+1");
      }
      work.append('=').append(sum);
      carry = sum / 10;
      if (carry > 0) {
        work.append(", carry 1");
      }
      work.append('\n');
    }
    String answer = Long.toString(a + b);
    return new TaskExample("What is " + a + " + " + b + "?", work + "Answer: " + answer, answer);
  }

  static TaskExample subtraction(long a, long b) {
    StringBuilder work = new StringBuilder();
    int columns = Long.toString(a).length();
    long borrow = 0;
    for (int i = 0; i < columns; i++) {
      long x = digit(a, i);
      long y = digit(b, i);
      boolean needBorrow = x - borrow < y;
      long result = x - borrow - y + (needBorrow ? 10 : 0);
      work.append(needBorrow ? "1" + x : Long.toString(x));
      if (borrow > 0) {
        work.append("-1");
      }
      work.append('-').append(y).append('=').append(result);
      if (needBorrow) {
        work.append(", borrow 1");
      }
      work.append('\n');
      borrow = needBorrow ? 1 : 0;
    }
    String answer = Long.toString(a - b);
    return new TaskExample("What is " + a + " - " + b + "?", work + "Answer: " + answer, answer);
  }

  private static long digit(long value, int position) {
    return value / pow10(position) % 10;
  }

  private static long pow10(int exponent) {
    long result = 1;
    for (int i = 0; i < exponent; i++) {
      result *= 10;
    }
    return result;
  }
}
