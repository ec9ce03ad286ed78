package io.conduit.perf.harness;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The summary arithmetic, on made-up repetitions: medians of per-repetition ratios, not ratios of medians.
 */
class HarnessReportTest
{
    @Test
    void shouldReportMedianOfPairedRatiosAndRatioToConduit()
    {
        final HarnessOptions options = HarnessOptions.parse(new String[]{
            "--smoke", "--systems", "conduit-spsc,agrona-o2o", "--sizes", "32"});
        final List<RepResult> reps = new ArrayList<>();
        // the floor moves between rounds (a host moving vCPUs); the paired ratios stay put
        final long[] floors = {100, 300, 200};
        for (int round = 1; round <= 3; round++)
        {
            final long floor = floors[round - 1];
            reps.add(rep(RepResult.PING_PONG, round, Systems.CONDUIT_SPSC, floor * 12 / 10, floor));
            reps.add(rep(RepResult.FLOOR, round, FloorEndpoint.NAME, floor, 0));
            reps.add(rep(RepResult.PING_PONG, round, Systems.AGRONA_O2O, floor * 15 / 10, floor));
            reps.add(rep(RepResult.FLOOR, round, FloorEndpoint.NAME, floor, 0));
        }
        final HarnessReport report = new HarnessReport(
            options, reps, new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>());

        final Map<String, HarnessReport.LatencyRow> rows = new LinkedHashMap<>();
        report.latencyRows().forEach(row -> rows.put(row.system(), row));
        assertEquals(1.2, rows.get(Systems.CONDUIT_SPSC).floorP50(), 1e-9);
        assertEquals(1.5, rows.get(Systems.AGRONA_O2O).floorP50(), 1e-9);
        assertEquals(1.25, rows.get(Systems.AGRONA_O2O).conduitP50(), 1e-9);
        assertEquals(240, rows.get(Systems.CONDUIT_SPSC).p50Ns());
        assertEquals(200, rows.get(FloorEndpoint.NAME).p50Ns());
        assertTrue(report.table().contains("| agrona-o2o "));
        assertTrue(report.svgPlot().startsWith("<svg"));
    }

    @Test
    void shouldTakeTheMeanOfTheMiddleTwoForAnEvenCount()
    {
        final List<RepResult> reps = List.of(
            rep(RepResult.FLOOR, 1, FloorEndpoint.NAME, 10, 0), rep(RepResult.FLOOR, 2, FloorEndpoint.NAME, 40, 0),
            rep(RepResult.FLOOR, 3, FloorEndpoint.NAME, 20, 0), rep(RepResult.FLOOR, 4, FloorEndpoint.NAME, 30, 0));
        assertEquals(25.0, HarnessReport.median(reps, RepResult::p50Ns), 1e-9);
    }

    @Test
    void shouldRefuseUnknownSystemsAndTinyPayloads()
    {
        assertThrows(IllegalArgumentException.class, () -> HarnessOptions.parse(new String[]{"--systems", "zmq"}));
        assertThrows(IllegalArgumentException.class, () -> HarnessOptions.parse(new String[]{"--sizes", "8"}));
        final HarnessOptions options = HarnessOptions.parse(new String[]{"--systems", "floor,aeron-ipc,tcp"});
        assertEquals(List.of(Systems.AERON_IPC, Systems.TCP), options.systems);
        assertEquals(List.of(Systems.AERON_IPC), options.throughputSystems);
    }

    @Test
    void shouldNameTheOptionOfEveryBadValue()
    {
        assertMessage("--seed: 'abc' is not a number", "--seed", "abc");
        assertMessage("--warmup + --count: 2147483648 round trips per rep, expected <= 2147483647",
            "--warmup", "1", "--count", String.valueOf(Integer.MAX_VALUE));
        assertMessage("--systems: nothing to measure besides the floor, which always runs", "--systems", "floor");
        // a value that looks like a mode is the value, not the mode
        final HarnessOptions options = HarnessOptions.parse(new String[]{"--out", "--quick", "--rounds", "2"});
        assertEquals(Paths.get("--quick"), options.out);
        assertEquals("full", options.mode);
        assertEquals(2, options.rounds);
        assertEquals(-5, HarnessOptions.parse(new String[]{"--seed", "-5"}).seed);
    }

    /**
     * Problems parsing cannot see are found before the run, not after it: two cores the same, a core this process
     * may not run on (the run went on to fail in taskset or the child's start), an --out that cannot be a directory
     * (found only when the report was written, after the whole run). Each names its option.
     */
    @Test
    void shouldRefuseUnusableCpusAndOutBeforeTheRun(@TempDir final Path dir) throws Exception
    {
        assertMessage("--cpus 0,0: parent and child need two different cores (both spin, and on one core they would " +
            "take turns)", "--cpus", "0,0");
        final Path out = dir.resolve("out");
        final HarnessOptions far = HarnessOptions.parse(new String[]{"--cpus", "0,99", "--out", out.toString()});
        assertEquals("--cpus 0,99: core 99 is not one this process may run on (0-1); name two of those, or --no-pin",
            far.startProblem("0-1"));
        assertNull(far.startProblem("?"), "unknown: left to taskset");
        assertNull(HarnessOptions.parse(new String[]{"--cpus", "3,6", "--out", out.toString()})
            .startProblem("0,3-4,6"));
        assertNull(HarnessOptions.parse(new String[]{"--cpus", "0,99", "--no-pin", "--out", out.toString()})
            .startProblem("0-1"));
        assertTrue(Files.isDirectory(out));

        final Path file = Files.createFile(dir.resolve("f"));
        final String problem = HarnessOptions.parse(new String[]{"--out", file.resolve("sub").toString()})
            .startProblem("0-1");
        assertTrue(problem.startsWith("--out " + file.resolve("sub") + ": cannot make the directory: "), problem);
        assertFalse(HarnessOptions.cpuListContains("0-x", 0));
    }

    private static void assertMessage(final String expected, final String... args)
    {
        assertEquals(expected,
            assertThrows(IllegalArgumentException.class, () -> HarnessOptions.parse(args)).getMessage());
    }

    @Test
    void shouldComputeTheWaitingTargetsFromMediansAndPairedRatios()
    {
        // as many rounds as the reps below: a target on fewer reps than the rounds is INCOMPLETE
        final HarnessOptions options = HarnessOptions.parse(new String[]{"--waiting", "--rounds", "3"});
        final List<RepResult> reps = new ArrayList<>();
        // the floor moves between rounds; the kernel paths do not follow it
        final long[] floors = {100, 300, 200};
        final long[] sockets = {70_000, 90_000, 80_000};
        for (int round = 1; round <= 3; round++)
        {
            final long floor = floors[round - 1];
            reps.add(rep(RepResult.PING_PONG, round, Systems.CONDUIT_SPSC, floor * 2, floor));
            reps.add(rep(RepResult.PING_PONG, round, Systems.CONDUIT_HYBRID, floor * 205 / 100, floor));
            reps.add(rep(RepResult.PING_PONG, round, Systems.CONDUIT_FUTEX, sockets[round - 1] * 12 / 10, floor));
            reps.add(rep(RepResult.PING_PONG, round, Systems.UDS_BLOCK, sockets[round - 1], floor));
            reps.add(rep(RepResult.PING_PONG, round, Systems.LINE_PAIR, floor * (12 + round) / 10, floor));
            reps.add(rep(RepResult.FLOOR, round, FloorEndpoint.NAME, floor, 0));
        }
        final HarnessReport report = new HarnessReport(
            options, reps, new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>());

        final Map<String, WaitingTargets.Target> targets = targetsByName(report);
        assertEquals(List.of("conduit-futex p50 / uds-block p50", "conduit-futex p99 / uds-block p99",
            "conduit-hybrid p50 / floor p50", "line-pair p50 / floor p50 (reference)",
            "conduit-hybrid p50 / conduit-spsc p50"), List.copyOf(targets.keySet()));

        final WaitingTargets.Target linePair = targets.get("line-pair p50 / floor p50 (reference)");
        assertEquals(1.4, linePair.ratio(), 1e-9); // the median of 1.3, 1.4 and 1.5
        assertEquals(1.3, linePair.lowest(), 1e-9);
        assertEquals(1.5, linePair.highest(), 1e-9);
        assertEquals("-", linePair.verdict()); // shown beside the hybrid's limit, judged by nobody

        final WaitingTargets.Target futexP50 = targets.get("conduit-futex p50 / uds-block p50");
        assertEquals(96_000.0 / 80_000.0, futexP50.ratio(), 2e-3); // median / median, to the histogram's 3 digits
        assertEquals("MISS", futexP50.verdict());
        assertEquals(3, futexP50.samples());
        assertEquals(WaitingTargets.RATIO_OF_MEDIANS, futexP50.method());

        final WaitingTargets.Target hybridFloor = targets.get("conduit-hybrid p50 / floor p50");
        assertEquals(2.05, hybridFloor.ratio(), 1e-9);
        assertEquals("MISS", hybridFloor.verdict());
        assertEquals(WaitingTargets.MEDIAN_OF_PAIRED, hybridFloor.method());

        final WaitingTargets.Target hybridSpin = targets.get("conduit-hybrid p50 / conduit-spsc p50");
        assertEquals(1.025, hybridSpin.ratio(), 1e-9);
        assertEquals("PASS", hybridSpin.verdict());
        assertEquals(1.025, hybridSpin.lowest(), 1e-9);
        assertEquals(1.025, hybridSpin.highest(), 1e-9);
        assertEquals(1.025, hybridSpin.viaFloor(), 1e-9);
        // through the floor: median of rep / floor (840, 360, 480) over the socket's (700, 300, 400)
        assertEquals(480.0 / 400.0, futexP50.viaFloor(), 2e-3);

        final String table = report.table();
        assertTrue(table.contains("| conduit-hybrid p50 / conduit-spsc p50 |"), table);
        assertTrue(table.contains(" PASS |") && table.contains(" MISS |"), table);
        assertTrue(report.html().contains("Targets (issue 5"));
    }

    /**
     * A system that failed in round 2 of 11 keeps its one rep; against 11 reps of another its ratio would pass. No
     * target on it may: it is INCOMPLETE, as is one whose sides have fewer reps than the rounds with no failure
     * recorded (a run stopped early). The text table shows each row's reps.
     */
    @Test
    void shouldJudgeNoTargetOnAFailedSystemOrOnFewerRepsThanTheRounds()
    {
        final HarnessOptions options = HarnessOptions.parse(new String[]{"--waiting"});
        assertEquals(11, options.rounds);
        final List<RepResult> reps = new ArrayList<>();
        for (int round = 1; round <= options.rounds; round++)
        {
            reps.add(rep(RepResult.PING_PONG, round, Systems.CONDUIT_SPSC, 200, 100));
            if (1 == round)
            {
                reps.add(rep(RepResult.PING_PONG, round, Systems.CONDUIT_HYBRID, 105, 100)); // 1.05 and 0.525: PASS
            }
            reps.add(rep(RepResult.PING_PONG, round, Systems.CONDUIT_FUTEX, 50_000, 100));
            if (round < options.rounds)
            {
                reps.add(rep(RepResult.PING_PONG, round, Systems.UDS_BLOCK, 80_000, 100)); // one short, no failure
            }
            reps.add(rep(RepResult.PING_PONG, round, Systems.LINE_PAIR, 130, 100));
            reps.add(rep(RepResult.FLOOR, round, FloorEndpoint.NAME, 100, 0));
        }
        final Map<String, String> failures = new LinkedHashMap<>();
        failures.put(Systems.CONDUIT_HYBRID, "IllegalStateException: made up");
        final HarnessReport report =
            new HarnessReport(options, reps, new LinkedHashMap<>(), failures, new LinkedHashMap<>());

        final Map<String, WaitingTargets.Target> targets = targetsByName(report);
        assertEquals(0.525, targets.get("conduit-hybrid p50 / conduit-spsc p50").ratio(), 1e-9); // under 1.05
        assertEquals("INCOMPLETE", targets.get("conduit-hybrid p50 / conduit-spsc p50").verdict());
        assertEquals(1.05, targets.get("conduit-hybrid p50 / floor p50").ratio(), 1e-9); // under 1.1
        assertEquals("INCOMPLETE", targets.get("conduit-hybrid p50 / floor p50").verdict());
        assertEquals("INCOMPLETE", targets.get("conduit-futex p50 / uds-block p50").verdict());
        assertEquals("INCOMPLETE", targets.get("conduit-futex p99 / uds-block p99").verdict());
        assertEquals("-", targets.get("line-pair p50 / floor p50 (reference)").verdict());

        final String table = report.table();
        assertFalse(table.contains(" PASS |"), table);
        assertTrue(table.contains("conduit-hybrid failed") && table.contains("uds-block 10 reps"), table);
        final List<String> header = cells(table, "| system ");
        assertEquals(List.of("system", "size B", "reps"), header.subList(0, 3), table);
        assertEquals(List.of(Systems.CONDUIT_HYBRID, "32", "1"), cells(table, "| conduit-hybrid ").subList(0, 3));
        assertEquals(List.of(Systems.UDS_BLOCK, "32", "10"), cells(table, "| uds-block ").subList(0, 3));
        assertEquals(List.of(FloorEndpoint.NAME, "8", "11"), cells(table, "| floor ").subList(0, 3));
    }

    /**
     * A system that failed before its first recorded rep (here in the warm-up round) has no rep at all; its targets
     * are still rows, INCOMPLETE with no ratio and why, not left out as if it had not been selected. Targets on
     * systems not selected stay out, and so does the reference row when {@code line-pair} has no rep.
     */
    @Test
    void shouldMarkTargetsIncompleteWhenASelectedSystemHasNoRep()
    {
        final HarnessOptions options = HarnessOptions.parse(new String[]{"--waiting", "--rounds", "3", "--systems",
            String.join(",", Systems.CONDUIT_SPSC, Systems.CONDUIT_HYBRID, Systems.LINE_PAIR)});
        final List<RepResult> reps = new ArrayList<>();
        for (int round = 1; round <= 3; round++)
        {
            reps.add(rep(RepResult.PING_PONG, round, Systems.CONDUIT_SPSC, 200, 100));
            reps.add(rep(RepResult.FLOOR, round, FloorEndpoint.NAME, 100, 0));
        }
        final Map<String, String> failures = new LinkedHashMap<>();
        failures.put(Systems.CONDUIT_HYBRID, "IllegalStateException: made up, in the warm-up round");
        final HarnessReport report =
            new HarnessReport(options, reps, new LinkedHashMap<>(), failures, new LinkedHashMap<>());

        final Map<String, WaitingTargets.Target> targets = targetsByName(report);
        assertEquals(List.of("conduit-hybrid p50 / floor p50", "conduit-hybrid p50 / conduit-spsc p50"),
            List.copyOf(targets.keySet()));
        for (final WaitingTargets.Target target : targets.values())
        {
            assertEquals("INCOMPLETE", target.verdict(), target::toString);
            assertTrue(Double.isNaN(target.ratio()) && Double.isNaN(target.viaFloor()), target::toString);
            assertEquals(0, target.samples());
            assertTrue(target.incomplete().startsWith("conduit-hybrid failed; conduit-hybrid 0 reps"),
                target::incomplete);
        }
        assertTrue(targets.get("conduit-hybrid p50 / conduit-spsc p50").incomplete().contains("conduit-spsc 3 reps"));

        final String table = report.table();
        assertEquals(List.of("conduit-hybrid p50 / conduit-spsc p50", "32", "-", "1.05", "INCOMPLETE", "-", "-", "0"),
            cells(table, "| conduit-hybrid p50 / conduit-spsc p50 "), table);
        assertTrue(table.contains("INCOMPLETE conduit-hybrid p50 / floor p50, 32 B: conduit-hybrid failed"), table);
        assertTrue(report.html().contains("Targets (issue 5"));
    }

    @Test
    void shouldShowTheRepsOfEachThroughputRow()
    {
        final HarnessOptions options = HarnessOptions.parse(new String[]{"--smoke", "--rounds", "3"});
        final List<RepResult> reps = new ArrayList<>();
        for (int round = 1; round <= 3; round++)
        {
            reps.add(throughput(round, Systems.CONDUIT_SPSC));
        }
        reps.add(throughput(1, Systems.AGRONA_O2O));
        final String table = new HarnessReport(
            options, reps, new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>()).table();
        final String throughputTable = table.substring(table.indexOf("One-way throughput"));
        assertEquals(List.of("system", "size B", "reps"), cells(throughputTable, "| system ").subList(0, 3), table);
        assertEquals(List.of(Systems.AGRONA_O2O, "32", "1"), cells(throughputTable, "| agrona-o2o ").subList(0, 3));
    }

    /**
     * @return the report's targets by name, in the report's order.
     */
    private static Map<String, WaitingTargets.Target> targetsByName(final HarnessReport report)
    {
        final Map<String, WaitingTargets.Target> targets = new LinkedHashMap<>();
        report.targets().forEach(target -> targets.put(target.name(), target));
        return targets;
    }

    /**
     * @return the trimmed cells of the first line of {@code table} that starts with {@code start}.
     */
    private static List<String> cells(final String table, final String start)
    {
        for (final String line : table.split("\n"))
        {
            if (line.startsWith(start))
            {
                final List<String> cells = new ArrayList<>();
                for (final String cell : line.substring(1).split("\\|"))
                {
                    cells.add(cell.trim());
                }
                return cells;
            }
        }
        throw new AssertionError("no line starting '" + start + "' in\n" + table);
    }

    private static RepResult throughput(final int round, final String system)
    {
        return new RepResult(RepResult.THROUGHPUT, round, 1, system, 32, 100_000, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            10_000_000.0, 0, 0, 0);
    }

    @Test
    void shouldRefuseAThroughputRepTooShortToTime()
    {
        assertMessage("--throughput-count: 1 expected 0 (no throughput) or at least 100000",
            "--throughput-count", "1");
        // one ring fill of Agrona's, 26,214 32-byte messages, is still less than a rep must time
        assertMessage("--throughput-count: 26214 expected 0 (no throughput) or at least 100000",
            "--throughput-count", "26214");
        assertMessage("--throughput-count: 99999 expected 0 (no throughput) or at least 100000",
            "--throughput-count", "99999");
        assertEquals(0, HarnessOptions.parse(new String[]{"--throughput-count", "0"}).throughputCount);
        assertEquals(100_000, HarnessOptions.parse(new String[]{"--throughput-count", "100000"}).throughputCount);
        // the modes' own counts are not below it
        assertEquals(100_000, HarnessOptions.parse(new String[]{"--smoke"}).throughputCount);
        assertEquals(1_000_000, HarnessOptions.parse(new String[]{"--quick"}).throughputCount);
    }

    @Test
    void shouldLeaveOutTargetsWhoseSystemsWereNotMeasured()
    {
        final HarnessOptions options = HarnessOptions.parse(new String[]{"--smoke"});
        final List<RepResult> reps = List.of(rep(RepResult.PING_PONG, 1, Systems.CONDUIT_SPSC, 200, 100),
            rep(RepResult.FLOOR, 1, FloorEndpoint.NAME, 100, 0));
        final HarnessReport report = new HarnessReport(
            options, reps, new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>());
        assertTrue(report.targets().isEmpty());
        assertFalse(report.table().contains("Targets"));
    }

    @Test
    void shouldParseTheWaitingPresetAndTheIdleMode()
    {
        final HarnessOptions waiting = HarnessOptions.parse(new String[]{"--waiting"});
        assertEquals(List.of(Systems.CONDUIT_SPSC, Systems.CONDUIT_HYBRID, Systems.CONDUIT_FUTEX, Systems.UDS_BLOCK,
            Systems.LINE_PAIR), waiting.systems);
        assertEquals(0, waiting.throughputCount);
        assertFalse(waiting.idle);

        final HarnessOptions quick = HarnessOptions.parse(new String[]{"--quick"});
        assertTrue(quick.systems.contains(Systems.CONDUIT_FUTEX) && quick.systems.contains(Systems.CONDUIT_HYBRID));
        assertFalse(HarnessOptions.parse(new String[]{"--smoke"}).systems.contains(Systems.CONDUIT_FUTEX));

        assertTrue(HarnessOptions.parse(new String[]{"--idle"}).idle);
        assertEquals(HarnessOptions.DEFAULT_IDLE_SECONDS, HarnessOptions.parse(new String[]{"--idle"}).idleSeconds);
        assertEquals(HarnessOptions.QUICK_IDLE_SECONDS,
            HarnessOptions.parse(new String[]{"--idle", "--quick"}).idleSeconds);
        final HarnessOptions idle = HarnessOptions.parse(new String[]{"--idle-seconds", "7", "--quick"});
        assertTrue(idle.idle);
        assertEquals(7, idle.idleSeconds);
        assertThrows(IllegalArgumentException.class, () -> HarnessOptions.parse(new String[]{"--idle-seconds", "0"}));
    }

    @Test
    void shouldJudgeTheIdleTargetsFromTheFutexReceiver()
    {
        final List<IdleCpu.Measurement> measurements = List.of(
            new IdleCpu.Measurement(IdleMode.FUTEX, "1", 12_000_000L, 150_000_000L, 60_000_000_000L),
            new IdleCpu.Measurement(IdleMode.BACKOFF, "0", 2_400_000_000L, 2_600_000_000L, 60_000_000_000L),
            new IdleCpu.Measurement(IdleMode.BUSY_SPIN, "1", 10_000_000_000L, 10_100_000_000L, 10_000_000_000L));
        final List<IdleCpu.Target> targets = IdleCpu.targets(measurements, 60);
        assertEquals(2, targets.size()); // no conduit-futex-10s row measured: no target for it
        assertEquals(0.02, targets.get(0).measuredPct(), 1e-9);
        assertEquals("PASS", targets.get(0).verdict());
        assertEquals(0.25, targets.get(1).measuredPct(), 1e-9);
        assertEquals("PASS", targets.get(1).verdict());
        assertEquals(100.0, measurements.get(2).threadPct(), 1e-9);

        final String table = IdleCpu.table(measurements, new LinkedHashMap<>(), 60);
        assertTrue(table.contains("| agrona-backoff |"), table);
        assertTrue(table.contains(" 0.020 |"), table);

        final List<IdleCpu.Target> missing = IdleCpu.targets(List.of(
            new IdleCpu.Measurement(IdleMode.FUTEX, "1", 60_000_000L, -1, 60_000_000_000L)), 5);
        assertEquals("MISS", missing.get(0).verdict());
        assertEquals("-", missing.get(1).verdict());
        assertTrue(missing.get(0).name().contains("(over 5 s)"));
    }

    private static RepResult rep(
        final String phase, final int round, final String system, final long p50Ns, final long floorP50Ns)
    {
        final Histogram histogram = new Histogram(3);
        histogram.recordValueWithCount(p50Ns, 100);
        final RepResult result = RepResult.latency(phase, round, 1, system,
            FloorEndpoint.NAME.equals(system) ? FloorEndpoint.COUNTER_LENGTH : 32, histogram, 0, 0);
        return 0 == floorP50Ns ? result :
            result.pairedWith(RepResult.latency(RepResult.FLOOR, round, 1, FloorEndpoint.NAME, 8,
                single(floorP50Ns), 0, 0));
    }

    private static Histogram single(final long value)
    {
        final Histogram histogram = new Histogram(3);
        histogram.recordValueWithCount(value, 100);
        return histogram;
    }
}
