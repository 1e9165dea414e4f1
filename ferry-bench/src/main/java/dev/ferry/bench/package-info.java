/**
 * JMH benchmarks of Ferry's in-process paths: publishing under each sync policy, publish to
 * consume to finish through the embedded bus, the embedded engine alone, and memory queues beside
 * {@code ArrayBlockingQueue} ({@code AsyncTimerLateness} measures async timers, outside JMH). Run them from the
 * shaded {@code ferry-bench/target/benchmarks.jar}; {@code docs/BENCHMARKS.md} has the command and
 * the latest figures.
 */
package dev.ferry.bench;
