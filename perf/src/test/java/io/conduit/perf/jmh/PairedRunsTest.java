package io.conduit.perf.jmh;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PairedRunsTest
{
    @Test
    void shouldTakeEachRoundsRatioThenTheMedianOverRounds()
    {
        // subject, anchor 1, anchor 2 per round: the subject's ratio to anchor 1 is 2, 1, 4 over the rounds
        final List<PairedRuns.Round> rounds = List.of(
            new PairedRuns.Round(new double[]{20, 10, 40}),
            new PairedRuns.Round(new double[]{10, 10, 5}),
            new PairedRuns.Round(new double[]{40, 10, 10}));

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
        assertEquals(2, runs.jmhOptions().getMeasurementIterations().get());
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
