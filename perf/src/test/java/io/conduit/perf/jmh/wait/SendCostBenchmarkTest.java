package io.conduit.perf.jmh.wait;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A {@code -jvmArgsAppend} on the command line replaces {@code withoutSignal}'s own, which holds the property it
 * measures: the pair then compared the same code with itself (a ratio near 1.0). A fork that did not get the setting
 * its method needs fails, naming the property and what to do.
 */
class SendCostBenchmarkTest
{
    private static final String WITH = "io.conduit.perf.jmh.wait.SendCostBenchmark.withSignal";
    private static final String WITHOUT = "io.conduit.perf.jmh.wait.SendCostBenchmark.withoutSignal";

    @Test
    void shouldRefuseAForkWhoseSignalSettingIsNotItsMethods()
    {
        SendCostBenchmark.checkSignalSetting(WITH, false);
        SendCostBenchmark.checkSignalSetting(WITHOUT, true);

        final String advice = "a -jvmArgsAppend given on the command line replaces the benchmarks' own; give " +
            "other JVM options with -jvmArgsPrepend, which leaves them be";
        assertEquals(WITHOUT + " ran with -Dconduit.ring.signal.disabled=false, expected true: " + advice,
            assertThrows(IllegalStateException.class, () -> SendCostBenchmark.checkSignalSetting(WITHOUT, false))
                .getMessage());
        assertEquals(WITH + " ran with -Dconduit.ring.signal.disabled=true, expected false: " + advice,
            assertThrows(IllegalStateException.class, () -> SendCostBenchmark.checkSignalSetting(WITH, true))
                .getMessage());
    }
}
