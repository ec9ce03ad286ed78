package io.conduit.perf.harness;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    private static RepResult rep(
        final String phase, final int round, final String system, final long p50Ns, final long floorP50Ns)
    {
        final Histogram histogram = new Histogram(3);
        histogram.recordValueWithCount(p50Ns, 100);
        final RepResult result = RepResult.latency(phase, round, 1, system,
            FloorEndpoint.NAME.equals(system) ? FloorEndpoint.COUNTER_LENGTH : 32, histogram, null, 0, 0);
        return 0 == floorP50Ns ? result :
            result.pairedWith(RepResult.latency(RepResult.FLOOR, round, 1, FloorEndpoint.NAME, 8,
                single(floorP50Ns), null, 0, 0));
    }

    private static Histogram single(final long value)
    {
        final Histogram histogram = new Histogram(3);
        histogram.recordValueWithCount(value, 100);
        return histogram;
    }
}
