/**
 * JMH benchmarks of the rings against their anchors (Agrona's rings, Aeron IPC, JCTools' queues), all built by
 * {@link io.conduit.perf.jmh.ring.RingFixture}: throughput between two pinned threads
 * ({@link io.conduit.perf.jmh.ring.RingThroughputBenchmark}) and the cost per message on one thread
 * ({@link io.conduit.perf.jmh.ring.RingCostBenchmark}), with the two-thread floor
 * ({@link io.conduit.perf.jmh.ring.LinePingPong}) and a hot loop for counting instructions
 * ({@link io.conduit.perf.jmh.ring.InstructionLoop}).
 */
package io.conduit.perf.jmh.ring;
