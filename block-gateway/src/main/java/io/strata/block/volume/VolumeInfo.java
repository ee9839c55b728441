package io.strata.block.volume;

/** A volume with its space accounting: {@code usedBytes} counts blocks that hold data. */
public record VolumeInfo(Volume volume, long usedBytes) {}
