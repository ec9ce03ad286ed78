/**
 * JMH benchmarks of in-process costs, each with its anchors as a {@code @Param} of the same class so that ratios
 * come from one run: rings ({@code .ring}), codecs ({@code .codec}) and waiting ({@code .wait}). Run from the shaded
 * {@code perf/target/conduit-perf.jar}; {@link io.conduit.perf.jmh.PairedRuns} runs the forks of a subject and its
 * anchors in turn, for ratios that hold on a shared machine.
 */
package io.conduit.perf.jmh;
