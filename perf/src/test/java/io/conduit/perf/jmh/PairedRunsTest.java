package io.conduit.perf.jmh;

import org.junit.jupiter.api.Test;

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
    void shouldRefuseArgumentsItCannotUseNamingThem()
    {
        final IllegalArgumentException noAnchor = assertThrows(IllegalArgumentException.class, () ->
            PairedRuns.parse(new String[]{"--benchmark", "X", "--param", "p", "--values", "only"}));
        assertTrue(noAnchor.getMessage().contains("--values"), noAnchor.getMessage());

        final IllegalArgumentException rounds = assertThrows(IllegalArgumentException.class, () ->
            PairedRuns.parse(new String[]{"--benchmark", "X", "--param", "p", "--values", "a,b", "--rounds", "two"}));
        assertTrue(rounds.getMessage().contains("--rounds") && rounds.getMessage().contains("two"),
            rounds.getMessage());

        final IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () ->
            PairedRuns.parse(new String[]{"--forks", "3"}));
        assertTrue(unknown.getMessage().contains("--forks"), unknown.getMessage());

        final IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () ->
            PairedRuns.parse(new String[]{"--benchmark", "X", "--values", "a,b"}));
        assertTrue(missing.getMessage().contains("--param"), missing.getMessage());

        final IllegalArgumentException noValues = assertThrows(IllegalArgumentException.class, () ->
            PairedRuns.parse(new String[]{"--rounds", "3"}));
        assertTrue(noValues.getMessage().contains("--values is required"), noValues.getMessage());
    }
}
