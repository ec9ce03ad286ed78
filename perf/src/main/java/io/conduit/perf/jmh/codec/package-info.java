/**
 * JMH benchmarks of the SBE codecs with their anchors in the same run: a sensor reading sent through a ring as SBE
 * against raw bytes ({@link io.conduit.perf.jmh.codec.SensorCodecLatencyBenchmark}), and SBE encode and decode
 * against a hand-written Chronicle Bytes marshallable ({@link io.conduit.perf.jmh.codec.SensorCodecEncodeBenchmark}).
 */
package io.conduit.perf.jmh.codec;
