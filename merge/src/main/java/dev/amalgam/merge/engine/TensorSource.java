package dev.amalgam.merge.engine;

/** One input tensor of a planned output tensor: which model and which of its tensors. */
public record TensorSource(String model, String tensor) {}
