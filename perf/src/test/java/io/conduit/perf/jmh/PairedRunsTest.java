package io.conduit.perf.jmh;

import io.conduit.perf.jmh.ring.LinePingPong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class PairedRunsTest
{
    @Test
    void shouldTakeEachRoundsRatioThenTheMedianOverRounds()
    {
        // subject, anchor 1, anchor 2 per round: the subject's ratio to anchor 1 is 2, 1, 4 over the rounds
        final List<PairedRuns.Round> rounds = List.of(
            round(new double[]{20, 10, 40}),
            round(new double[]{10, 10, 5}),
            round(new double[]{40, 10, 10}));

        final List<PairedRuns.Ratio> ratios = PairedRuns.ratios(List.of("s", "a", "b"), rounds);

        assertEquals(2, ratios.size());
        assertEquals(new PairedRuns.Ratio("a", 2.0, 1.0, 4.0), ratios.get(0));
        assertEquals(new PairedRuns.Ratio("b", 2.0, 0.5, 4.0), ratios.get(1));
    }

    @Test
    void shouldAverageTheMiddlePairOfAnEvenCount()
    {
        assertEquals(2.5, PairedRuns.median(new double[]{1, 2, 3, 10}));
        assertEquals(3.0, PairedRuns.median(new double[]{3}));
    }

    @Test
    void shouldRunValuesInOrderThenReversedRoundByRound()
    {
        assertEquals(List.of(0, 1, 2), List.of(
            PairedRuns.valueAt(0, 0, 3), PairedRuns.valueAt(0, 1, 3), PairedRuns.valueAt(0, 2, 3)));
        assertEquals(List.of(2, 1, 0), List.of(
            PairedRuns.valueAt(1, 0, 3), PairedRuns.valueAt(1, 1, 3), PairedRuns.valueAt(1, 2, 3)));
        assertEquals(List.of(0, 1), List.of(PairedRuns.valueAt(4, 0, 2), PairedRuns.valueAt(4, 1, 2)));
    }

    @Test
    void shouldTrimValuesAndParseEveryOption()
    {
        final PairedRuns runs = PairedRuns.parse(new String[]{
            "--benchmark", "X", "--param", "p", "--values", "a, b ,c", "--rounds", "4", "--metric", "m",
            "--", "-i", "2"});

        assertEquals(List.of("a", "b", "c"), runs.values());
        assertEquals(4, runs.rounds());
        assertEquals("m", runs.metric());
        assertFalse(runs.floor());
        assertEquals(2, runs.jmhOptions().getMeasurementIterations().get());
        assertTrue(PairedRuns.parse(new String[]{"--values", "a,b", "--floor", "--rounds", "2"}).floor());
    }

    @Test
    void shouldSplitRoundsAtTheMedianOfTheirHighestFloor()
    {
        // the subject's ratio to the anchor is 1, 1.5, 2, 3 in rounds whose highest floor is 80, 85, 400, 420 ns:
        // the median of those is 242.5, so the first two rounds are the low ones; a round with one fork high is high
        final List<PairedRuns.Round> rounds = List.of(
            new PairedRuns.Round(new double[]{20, 10}, new double[]{400, 80}),
            new PairedRuns.Round(new double[]{10, 10}, new double[]{80, 80}),
            new PairedRuns.Round(new double[]{30, 10}, new double[]{410, 420}),
            new PairedRuns.Round(new double[]{15, 10}, new double[]{85, 70}));
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        PairedRuns.printByFloor(List.of("s", "a"), rounds, new PrintStream(bytes, true, StandardCharsets.UTF_8));

        assertEquals(String.join(System.lineSeparator(),
            "by floor (a round's floor: the highest before its forks; split at their median, 242.5 ns; 4 of 4 " +
                "rounds with every floor measured):",
            "  2 rounds, floor <= 242.5 ns: s / a: median 1.25 (1.00 to 1.50)",
            "  2 rounds, floor > 242.5 ns: s / a: median 2.50 (2.00 to 3.00)", ""),
            bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldPutARoundOnTheLowSideOfATieAndLeaveOutRoundsWithAFloorNotMeasured()
    {
        // highest floors 100, 100, 300 and one round not measured: the median of the three is 100, both rounds at
        // 100 go low (1x and 2x), the one at 300 high (4x); the unmeasured round (ratio 9x) counts on neither side
        final List<PairedRuns.Round> rounds = List.of(
            new PairedRuns.Round(new double[]{10, 10}, new double[]{100, 90}),
            new PairedRuns.Round(new double[]{20, 10}, new double[]{80, 100}),
            new PairedRuns.Round(new double[]{90, 10}, new double[]{Double.NaN, 50}),
            new PairedRuns.Round(new double[]{40, 10}, new double[]{300, 300}));

        assertEquals(List.of(
                "by floor (a round's floor: the highest before its forks; split at their median, 100.0 ns; 3 of 4 " +
                    "rounds with every floor measured):",
                "  2 rounds, floor <= 100.0 ns: s / a: median 1.50 (1.00 to 2.00)",
                "  1 round, floor > 100.0 ns: s / a: median 4.00 (4.00 to 4.00)"),
            printByFloor(rounds));
        assertEquals(List.of(
                "by floor (a round's floor: the highest before its forks; split at their median, 70.0 ns; 1 of 1 " +
                    "rounds with every floor measured):",
                "  1 round, floor <= 70.0 ns: s / a: median 2.00 (2.00 to 2.00)"),
            printByFloor(List.of(new PairedRuns.Round(new double[]{20, 10}, new double[]{70, 60}))));
        assertEquals(List.of("by floor: no round with every floor measured"),
            printByFloor(List.of(new PairedRuns.Round(new double[]{20, 10}, new double[]{Double.NaN, 60}))));
    }

    @Test
    void shouldPrintEachValuesScoreAndFloorInTheOrderOfTheValues()
    {
        // the scores and floors are indexed by value, not by the turn in which a value's fork ran (reversed in odd
        // rounds): the line keeps the order of --values
        assertEquals("round 2: s=20.00 a=10.50 b=5.25 floor ns: 81/160/402",
            PairedRuns.roundLine(1, List.of("s", "a", "b"), new double[]{20, 10.5, 5.25}, new double[]{81, 160, 402}));
        assertEquals("round 1: s=1.00 a=2.00",
            PairedRuns.roundLine(0, List.of("s", "a"), new double[]{1, 2}, null));
    }

    @Test
    void shouldProbeTheCpusTheForksGetTheLastSettingWinning()
    {
        assertEquals("0,1", PairedRuns.forkCpus(PairedRuns.parse(new String[]{
            "--values", "a,b", "--floor", "--", "-jvmArgsAppend", "-Xmx1g -Dconduit.bench.cpus=0,1"}).jmhOptions()));
        assertEquals("4,5", PairedRuns.forkCpus(PairedRuns.parse(new String[]{
            "--values", "a,b", "--", "-jvmArgsPrepend", "-Dconduit.bench.cpus=2,3",
            "-jvmArgs", "-Dconduit.bench.cpus=none", "-jvmArgsAppend", "-Dconduit.bench.cpus=4,5"}).jmhOptions()));
        assertEquals("none", PairedRuns.forkCpus(PairedRuns.parse(new String[]{
            "--values", "a,b", "--", "-jvmArgsPrepend", "-Dconduit.bench.cpus=2,3",
            "-jvmArgs", "-Dconduit.bench.cpus=none"}).jmhOptions()));
        assertNull(PairedRuns.forkCpus(PairedRuns.parse(new String[]{"--values", "a,b", "--", "-jvmArgs", "-Xmx1g"})
            .jmhOptions()));
    }

    @Test
    void shouldMeasureALinePingPongFloor() throws Exception
    {
        assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "the floor needs two CPUs");
        final int[] cpus = LinePingPong.cpus(null);
        final double floorNs = LinePingPong.medianRoundTripNs(cpus, false, 3, 20, 1);

        // a round trip takes some time, and under a second on any machine with two CPUs
        assertTrue(floorNs > 0 && floorNs < 1e9, () -> "floor " + floorNs + " ns");
        assertThrows(IllegalArgumentException.class, () -> LinePingPong.medianRoundTripNs(cpus, false, 0, 100, 1));
        assertThrows(IllegalArgumentException.class, () -> LinePingPong.medianRoundTripNs(cpus, false, 5, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> LinePingPong.medianRoundTripNs(cpus, false, 5, 100, -1));
        assertThrows(IllegalArgumentException.class, () -> LinePingPong.cpus("3"));
        assertNull(LinePingPong.cpus("none"));
    }

    @Test
    void shouldRefuseArgumentsItCannotUseNamingThem()
    {
        assertRefused("--values", "--benchmark", "X", "--param", "p", "--values", "only");
        assertRefused("two", "--benchmark", "X", "--param", "p", "--values", "a,b", "--rounds", "two");
        assertRefused("--rounds must be at least 1", "--benchmark", "X", "--param", "p", "--values", "a,b",
            "--rounds", "0");
        assertRefused("unknown option: --forks", "--forks", "3");
        assertRefused("unknown option: --verbose", "--values", "a,b", "--verbose");
        assertRefused("--metric needs a value", "--values", "a,b", "--metric");
        assertRefused("--benchmark X given without --param", "--benchmark", "X", "--values", "a,b");
        assertRefused("--param p given without --benchmark", "--param", "p", "--values", "a,b");
        assertRefused("--values is required", "--rounds", "3");
        assertRefused("empty value", "--values", "a,,b");
        assertRefused("empty value", "--values", ",b");
        assertRefused("names a twice", "--values", "a,b,a");
        assertRefused("JMH options after --", () -> PairedRuns.parse(
            new String[]{"--values", "a,b", "--", "-i", "many"}).jmhOptions());
    }

    private static List<String> printByFloor(final List<PairedRuns.Round> rounds)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PairedRuns.printByFloor(List.of("s", "a"), rounds, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return List.of(bytes.toString(StandardCharsets.UTF_8).split(System.lineSeparator()));
    }

    private static PairedRuns.Round round(final double[] scores)
    {
        final double[] floors = new double[scores.length];
        Arrays.fill(floors, Double.NaN);
        return new PairedRuns.Round(scores, floors);
    }

    private static void assertRefused(final String expected, final String... args)
    {
        assertRefused(expected, () -> PairedRuns.parse(args));
    }

    private static void assertRefused(final String expected, final Executable executable)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, executable);
        assertTrue(ex.getMessage().contains(expected), () -> "expected \"" + expected + "\" in: " + ex.getMessage());
    }
}
