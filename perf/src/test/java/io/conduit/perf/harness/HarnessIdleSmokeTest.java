package io.conduit.perf.harness;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the harness's idle mode with a one-second window: real child JVMs wait with each receiver. Not a
 * measurement (a second says little, and CI machines are busy): it proves the mode runs end to end, reads the
 * clocks and writes its files, in a few seconds.
 */
class HarnessIdleSmokeTest
{
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldMeasureEveryIdleReceiverAndWriteTheFiles(@TempDir final Path out) throws Exception
    {
        final List<IdleCpu.Measurement> measurements = new IdleCpu(HarnessOptions.parse(
            new String[]{"--idle-seconds", "1", "--no-relaunch", "--out", out.toString()})).run();

        assertEquals(List.of(IdleMode.FUTEX, IdleMode.FUTEX_LONG, IdleMode.BACKOFF, IdleMode.BUSY_SPIN),
            measurements.stream().map(IdleCpu.Measurement::mode).toList());
        for (final IdleCpu.Measurement measurement : measurements)
        {
            assertTrue(measurement.wallNs() >= TimeUnit.SECONDS.toNanos(1), measurement.toString());
            assertTrue(measurement.threadCpuNs() >= 0 && measurement.processCpuNs() >= 0,
                measurement.toString());
        }
        // the one robust comparison on a busy machine: a spinning thread burns more than a sleeping one
        assertTrue(measurements.get(3).threadCpuNs() > measurements.get(0).threadCpuNs(), measurements.toString());

        final String text = Files.readString(out.resolve(IdleCpu.TEXT_FILE));
        assertTrue(text.contains("| conduit-futex ") && text.contains("| busy-spin "), text);
        assertTrue(text.contains("waiting thread, % of a core"), text);
        assertEquals(5, Files.readAllLines(out.resolve(IdleCpu.CSV_FILE)).size());
    }
}
