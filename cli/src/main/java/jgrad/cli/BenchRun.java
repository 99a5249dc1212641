package jgrad.cli;

/** What every suite needs: the timing budget, whether to keep sizes small, the targets, the progress display. */
record BenchRun(Measure.Budget budget, boolean quick, BenchDevices devices, BenchProgress progress) {}
