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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
            "--benchmark", "X", "--param", "p", "--values", "a, b ,c", "--rounds", "4", "--metric", "m", "--", "-i", "2"});

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
            "by floor (a round's floor: the highest before its forks; split at their median, 243 ns):",
            "  2 rounds, floor <= 243 ns: s / a: median 1.25 (1.00 to 1.50)",
            "  2 rounds, floor > 243 ns: s / a: median 2.50 (2.00 to 3.00)", ""),
            bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldMeasureALinePingPongFloor() throws Exception
    {
        final double floorNs = LinePingPong.medianRoundTripNs(3, 20, 1);

        // a round trip takes some time, and under a second even where both threads share one CPU (time slices)
        assertTrue(floorNs > 0 && floorNs < 1e9, () -> "floor " + floorNs + " ns");
        assertThrows(IllegalArgumentException.class, () -> LinePingPong.medianRoundTripNs(0, 100, 1));
        assertThrows(IllegalArgumentException.class, () -> LinePingPong.medianRoundTripNs(5, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> LinePingPong.medianRoundTripNs(5, 100, -1));
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
