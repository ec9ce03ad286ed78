package io.conduit.perf.harness;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the harness in its {@code --smoke} mode: this JVM is the parent, a real child JVM echoes. Not a benchmark:
 * it proves the harness runs end to end and writes sane figures, in a few seconds.
 */
class HarnessSmokeTest
{
    private static final List<String> SMOKE_SYSTEMS =
        List.of(Systems.CONDUIT_SPSC, Systems.AGRONA_O2O, Systems.LINE_PAIR, FloorEndpoint.NAME);

    private static final int SMOKE_COUNT = 2_000;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldMeasureEverySmokeSystemAndWriteTheFiles(@TempDir final Path out) throws Exception
    {
        final HarnessReport report = new Harness(
            HarnessOptions.parse(new String[]{"--smoke", "--no-relaunch", "--out", out.toString()})).run();

        assertTrue(report.failures().isEmpty(), () -> "failures: " + report.failures());
        final Map<String, HarnessReport.LatencyRow> rows = report.latencyRows().stream()
            .collect(Collectors.toMap(HarnessReport.LatencyRow::system, row -> row));
        assertEquals(SMOKE_SYSTEMS,
            report.latencyRows().stream().map(HarnessReport.LatencyRow::system).collect(Collectors.toList()));
        for (final HarnessReport.LatencyRow row : rows.values())
        {
            assertEquals(SMOKE_COUNT, row.count(), row.system());
            assertTrue(row.p50Ns() > 0, row.system() + " p50=" + row.p50Ns());
            assertTrue(row.p50Ns() <= row.p99Ns() && row.p99Ns() <= row.maxNs(), row.toString());
            assertTrue(row.p50Ns() < 1_000_000_000L, row.system() + " p50 over a second: " + row.p50Ns());
            assertTrue(row.floorP50() > 0 && Double.isFinite(row.floorP50()), row.toString());
        }
        assertEquals(1.0, rows.get(Systems.CONDUIT_SPSC).conduitP50(), 1e-9);
        assertEquals(2, report.throughputRows().size());
        for (final HarnessReport.ThroughputRow row : report.throughputRows())
        {
            assertTrue(row.msgsPerSec() > 0, row.toString());
        }

        final String table = report.table();
        for (final String system : SMOKE_SYSTEMS)
        {
            assertTrue(table.contains("| " + system + " "), () -> "no row for " + system + " in\n" + table);
        }

        final List<String> csv = Files.readAllLines(out.resolve(HarnessReport.REPS_CSV_FILE));
        assertTrue(csv.get(0).startsWith("phase,round,order,system,size_bytes,count,p50_ns"), csv.get(0));
        for (final String system : SMOKE_SYSTEMS)
        {
            final List<String[]> latency = csv.stream().skip(1).map(line -> line.split(",", -1))
                .filter(f -> f[3].equals(system) && !RepResult.THROUGHPUT.equals(f[0]))
                .collect(Collectors.toList());
            assertFalse(latency.isEmpty(), "no CSV row for " + system);
            for (final String[] fields : latency)
            {
                assertEquals(String.valueOf(SMOKE_COUNT), fields[5], system + " count");
                assertTrue(Long.parseLong(fields[6]) > 0, system + " p50");
            }
        }
        assertTrue(Files.readString(out.resolve(HarnessReport.SUMMARY_CSV_FILE)).contains(Systems.AGRONA_O2O));

        final String html = Files.readString(out.resolve(HarnessReport.HTML_FILE));
        assertTrue(html.contains("<svg") && html.contains("</svg>"), "no inline SVG plot");
        assertFalse(html.contains("<script"), "the page must not need a script");
        assertTrue(html.contains(Systems.CONDUIT_SPSC) && html.contains(FloorEndpoint.NAME));
        assertEquals(table, Files.readString(out.resolve(HarnessReport.TEXT_FILE)));
    }
}
