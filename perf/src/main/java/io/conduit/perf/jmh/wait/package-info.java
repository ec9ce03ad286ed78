/**
 * JMH benchmarks of waiting: what futex support costs a sender while nobody sleeps
 * ({@link io.conduit.perf.jmh.wait.SendCostBenchmark}).
 */
package io.conduit.perf.jmh.wait;
