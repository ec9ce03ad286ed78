package io.conduit.perf.harness;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run in which a rep fails, made to through {@link Harness.RepListener} (as a failing system would: the rep throws),
 * with a real child JVM and tiny counts: two ping-pong systems, two throughput systems, 3 rounds after a warm-up round.
 * <ul>
 *     <li>a system's failure restarts the child, which is warmed up again (unrecorded) over every task still to come
 *     before anything is recorded again (perf/README.md, "Failures");</li>
 *     <li>a floor rep's failure stops the measuring, and the run still ends with the report of what it measured
 *     before, written to the output directory, the floor listed as failed.</li>
 * </ul>
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HarnessFailureTest
{
    private static final int ROUNDS = 3;

    private record Rep(String phase, String system, int round)
    {
    }

    @Test
    void shouldWarmUpTheRestartedChildBeforeRecordingAgain(@TempDir final Path out) throws Exception
    {
        final List<Rep> seen = new ArrayList<>();
        final Rep failing = new Rep(RepResult.PING_PONG, Systems.CONDUIT_SPSC, 2);
        final Harness harness = new Harness(options(out));
        harness.repListener((phase, system, round) ->
        {
            final Rep rep = new Rep(phase, system, round);
            seen.add(rep);
            if (failing.equals(rep))
            {
                throw new IllegalStateException("made to fail by the test");
            }
        });

        final HarnessReport report = harness.run();

        assertEquals(Set.of(Systems.CONDUIT_SPSC), report.failures().keySet());
        final int failedAt = seen.indexOf(failing);
        assertTrue(failedAt > 0, () -> "the failing rep never ran: " + seen);
        // from the restart to the next recorded rep: a warm-up of everything still to come (round 2 of 3: all of it)
        final Set<Rep> warmedUp = new HashSet<>();
        int next = failedAt + 1;
        while (next < seen.size() && 0 == seen.get(next).round())
        {
            warmedUp.add(seen.get(next++));
        }
        assertEquals(Set.of(new Rep(RepResult.PING_PONG, Systems.AGRONA_O2O, 0),
            new Rep(RepResult.FLOOR, FloorEndpoint.NAME, 0), new Rep(RepResult.THROUGHPUT, Systems.CONDUIT_SPSC, 0),
            new Rep(RepResult.THROUGHPUT, Systems.AGRONA_O2O, 0)), warmedUp, () -> "reps run: " + seen);
        assertTrue(next < seen.size() && 2 == seen.get(next).round(), () -> "reps run: " + seen);

        // none of the warm-up was recorded: one rep per round of each task still running, round 1 of the failed one
        assertEquals(List.of(1), rounds(report, RepResult.PING_PONG, Systems.CONDUIT_SPSC));
        assertEquals(List.of(1, 2, 3), rounds(report, RepResult.PING_PONG, Systems.AGRONA_O2O));
        assertEquals(List.of(1, 2, 3), rounds(report, RepResult.THROUGHPUT, Systems.CONDUIT_SPSC));
        assertEquals(List.of(1, 2, 3), rounds(report, RepResult.THROUGHPUT, Systems.AGRONA_O2O));
    }

    @Test
    void shouldWriteThePartialReportWhenTheFloorFails(@TempDir final Path out) throws Exception
    {
        final List<Rep> seen = new ArrayList<>();
        final Harness harness = new Harness(options(out));
        harness.repListener((phase, system, round) ->
        {
            seen.add(new Rep(phase, system, round));
            if (RepResult.FLOOR.equals(phase) && 2 == round)
            {
                throw new IllegalStateException("floor made to fail by the test");
            }
        });

        final HarnessReport report = harness.run(); // threw the floor's failure, and wrote nothing, before

        assertTrue(report.failures().get(FloorEndpoint.NAME).contains("floor made to fail by the test"),
            () -> "failures: " + report.failures());
        final int failedAt = seen.indexOf(new Rep(RepResult.FLOOR, FloorEndpoint.NAME, 2));
        assertEquals(failedAt + 1, seen.size(), () -> "measuring went on after the floor failed: " + seen);
        // the first ping-pong rep of round 2 is the one whose floor failed: left out, unpaired
        assertEquals(List.of(1), rounds(report, RepResult.PING_PONG, Systems.CONDUIT_SPSC));
        assertEquals(List.of(1), rounds(report, RepResult.PING_PONG, Systems.AGRONA_O2O));
        for (final RepResult rep : report.reps())
        {
            assertTrue(rep.round() <= 2, rep::toString);
            assertTrue(!RepResult.PING_PONG.equals(rep.phase()) || rep.floorP50Ns() > 0,
                () -> "a ping-pong rep without its floor rep: " + rep);
        }
        final String text = Files.readString(out.resolve(HarnessReport.TEXT_FILE));
        assertTrue(text.contains("stopped early: ") && text.contains("  floor: "), text);
        assertTrue(Files.readString(out.resolve(HarnessReport.REPS_CSV_FILE)).contains(Systems.AGRONA_O2O));
        assertFalse(report.latencyRows().isEmpty());
    }

    private static HarnessOptions options(final Path out)
    {
        final HarnessOptions options = HarnessOptions.parse(new String[]{"--smoke",
            "--systems", Systems.CONDUIT_SPSC + "," + Systems.AGRONA_O2O, "--rounds", String.valueOf(ROUNDS),
            "--count", "300", "--warmup", "100", "--throughput-count", "100000", "--seed", "7",
            "--no-relaunch", "--no-pin", "--out", out.toString()});
        options.warmupRound = true; // --smoke has none; a restart's warm-up is the warm-up round's, repeated
        return options;
    }

    private static List<Integer> rounds(final HarnessReport report, final String phase, final String system)
    {
        final List<Integer> rounds = new ArrayList<>();
        for (final RepResult rep : report.reps())
        {
            if (phase.equals(rep.phase()) && system.equals(rep.system()))
            {
                rounds.add(rep.round());
            }
        }
        rounds.sort(null);
        return rounds;
    }
}
