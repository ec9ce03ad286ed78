package io.conduit.perf.jmh;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs every JMH benchmark of the perf module once, briefly, each in a forked JVM with its own {@code @Fork}
 * arguments, as {@code java -jar perf/target/conduit-perf.jar} would: not a measurement (no warm-up, one short
 * iteration), a proof that each benchmark and every parameter value sets up, runs without throwing (their own checks
 * throw on a lost or refused message; for the two-thread group, messages must have been delivered) and tears down.
 * JMH's log goes to {@code perf/target/jmh-smoke.txt}. JMH allows one run per machine at a time (its lock file), so
 * this test fails at once, saying so, while another JMH run is going on.
 */
class JmhSmokeTest
{
    /** Every benchmark method, by class and method, each run for every value of its parameters. */
    private static final Set<String> BENCHMARKS = Set.of(
        "ring.RingThroughputBenchmark.offerRead",
        "ring.RingThroughputBenchmark.burst",
        "ring.RingCostBenchmark.burst",
        "ring.RingCostBenchmark.single",
        "wait.SendCostBenchmark.withSignal",
        "wait.SendCostBenchmark.withoutSignal",
        "codec.SensorCodecLatencyBenchmark.sendAndRead",
        "codec.SensorCodecEncodeBenchmark.encode",
        "codec.SensorCodecEncodeBenchmark.decode");

    /** Trials expected: each benchmark times the values of its parameter. */
    private static final int TRIALS = 7 + 7 + 4 + 4 + 2 + 2 + 3 + 2 + 2;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void shouldRunEveryBenchmarkAndParameter() throws Exception
    {
        final Options options = new OptionsBuilder()
            .include("io\\.conduit\\.perf\\.jmh\\..*")
            .forks(1)
            .warmupIterations(0)
            .measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(200))
            .shouldFailOnError(true)
            .output(Path.of("target", "jmh-smoke.txt").toString()) // the whole JMH log, kept out of the build's
            .build();

        final Collection<RunResult> results = new Runner(options).run();

        final Set<String> seen = new TreeSet<>();
        for (final RunResult result : results)
        {
            final String benchmark = result.getParams().getBenchmark();
            seen.add(benchmark.substring("io.conduit.perf.jmh.".length()));
            final double score = result.getPrimaryResult().getScore();
            assertTrue(score > 0 && Double.isFinite(score), () -> benchmark + " " + result.getParams() +
                " score=" + score);
            if (result.getParams().getThreadGroups().length > 1)
            {
                // a group's primary result counts failed offers and empty reads too: messages must have flowed
                final double messages = result.getSecondaryResults().get("messages").getScore();
                assertTrue(messages > 0, () -> benchmark + " " + result.getParams() + " delivered nothing");
            }
        }
        assertEquals(new TreeSet<>(BENCHMARKS), seen);
        assertEquals(TRIALS, results.size(), () -> "trials: " + results.stream()
            .map(r -> r.getParams().getBenchmark() + r.getParams().getParamsKeys().stream()
                .map(k -> " " + k + "=" + r.getParams().getParam(k)).toList())
            .toList());
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void shouldPairForksOfTwoValuesAndReportTheirRatio() throws Exception
    {
        final PairedRuns runs = PairedRuns.parse(new String[]{
            "--benchmark", "RingCostBenchmark.single", "--param", "ring", "--values", "conduit-spsc,agrona-o2o",
            "--rounds", "2", "--", "-wi", "0", "-i", "1", "-r", "100ms"});
        final ByteArrayOutputStream table = new ByteArrayOutputStream();

        final List<PairedRuns.Ratio> ratios =
            runs.run(runs.jmhOptions(), new PrintStream(table, true, StandardCharsets.UTF_8));

        assertEquals(1, ratios.size());
        final PairedRuns.Ratio ratio = ratios.get(0);
        assertEquals("agrona-o2o", ratio.anchor());
        assertTrue(ratio.min() > 0 && ratio.min() <= ratio.median() && ratio.median() <= ratio.max() &&
            Double.isFinite(ratio.max()), ratio::toString);
        final String printed = table.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("round 1: conduit-spsc=") && printed.contains("round 2: conduit-spsc=") &&
            printed.contains("conduit-spsc / agrona-o2o") && printed.contains("higher is better"), printed);
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void shouldRefuseAMissingParameterAGroupWithoutAMetricAndUnlikeScores()
    {
        final PairedRuns misspelt = PairedRuns.parse(new String[]{
            "--benchmark", "RingCostBenchmark.single", "--param", "rng", "--values", "conduit-spsc,agrona-o2o",
            "--rounds", "1", "--", "-p", "ring=conduit-spsc", "-wi", "0", "-i", "1", "-r", "50ms"});
        final IllegalArgumentException noParam = assertThrows(IllegalArgumentException.class,
            () -> misspelt.run(misspelt.jmhOptions(), new PrintStream(new ByteArrayOutputStream())));
        assertTrue(noParam.getMessage().contains("has no parameter rng"), noParam.getMessage());

        final PairedRuns group = PairedRuns.parse(new String[]{
            "--benchmark", "RingThroughputBenchmark.offerRead", "--param", "ring",
            "--values", "conduit-spsc,agrona-o2o", "--rounds", "1", "--", "-wi", "0", "-i", "1", "-r", "50ms"});
        final IllegalArgumentException noMetric = assertThrows(IllegalArgumentException.class,
            () -> group.run(group.jmhOptions(), new PrintStream(new ByteArrayOutputStream())));
        assertTrue(noMetric.getMessage().contains("--metric"), noMetric.getMessage());

        // a rate in msgs/us against a time in ns/op: no ratio may divide the two
        final PairedRuns unlike = PairedRuns.parse(new String[]{
            "--values", "RingCostBenchmark.single,SendCostBenchmark.withSignal", "--rounds", "1", "--",
            "-p", "ring=conduit-spsc", "-p", "kind=SPSC", "-wi", "0", "-i", "1", "-r", "50ms"});
        final IllegalStateException unlikeScores = assertThrows(IllegalStateException.class,
            () -> unlike.run(unlike.jmhOptions(), new PrintStream(new ByteArrayOutputStream())));
        assertTrue(unlikeScores.getMessage().startsWith("unlike scores: SendCostBenchmark.withSignal"),
            unlikeScores.getMessage());
    }
}
