package dev.amalgam.merge.engine;

/** Receives progress of a running merge; called from worker threads. */
public interface MergeProgress {
  MergeProgress NONE = new MergeProgress() {};

  /** Called once before the first tensor. */
  default void started(int tensors, long bytes) {}

  /** Called after each tensor is written. */
  default void tensorDone(String name, long bytes) {}
}
