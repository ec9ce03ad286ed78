package io.conduit.wait;

import org.junit.jupiter.api.Test;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuClockTest
{
    private static final long BURN_NS = TimeUnit.MILLISECONDS.toNanos(30);

    @Test
    void shouldUseNativeClocksOnLinux()
    {
        final String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        final String arch = System.getProperty("os.arch", "");
        if (os.startsWith("linux") && ("amd64".equals(arch) || "x86_64".equals(arch) || "aarch64".equals(arch)))
        {
            assertTrue(CpuClock.isNative(), () -> "JNA unavailable: " + LibC.UNAVAILABLE_REASON);
        }
    }

    @Test
    void shouldMeasureCurrentThreadCpuTime()
    {
        final long startNs = CpuClock.currentThreadCpuTimeNs();
        burn();
        final long endNs = CpuClock.currentThreadCpuTimeNs();

        assertTrue(startNs >= 0, "startNs=" + startNs);
        assertTrue(endNs - startNs >= BURN_NS / 2, "burned only " + (endNs - startNs) + " ns");
    }

    @Test
    void shouldMeasureGivenThreadAndProcessCpuTime()
    {
        final long threadNs = CpuClock.threadCpuTimeNs(Thread.currentThread());
        final long currentNs = CpuClock.currentThreadCpuTimeNs();
        final long processNs = CpuClock.processCpuTimeNs();

        assertTrue(threadNs > 0, "threadNs=" + threadNs);
        assertTrue(currentNs >= threadNs, "currentNs=" + currentNs + " threadNs=" + threadNs);
        assertTrue(processNs >= currentNs, "processNs=" + processNs + " currentNs=" + currentNs);
    }

    @Test
    void shouldReportUnavailableForDeadThread() throws InterruptedException
    {
        final Thread thread = new Thread(() -> { });
        thread.start();
        thread.join();

        assertEquals(CpuClock.UNAVAILABLE, CpuClock.threadCpuTimeNs(thread));
    }

    private static void burn()
    {
        final long startNs = CpuClock.currentThreadCpuTimeNs();
        final long wallDeadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long x = 0;
        while (CpuClock.currentThreadCpuTimeNs() - startNs < BURN_NS && System.nanoTime() - wallDeadlineNs < 0)
        {
            x += System.nanoTime() & 1;
        }
        assertTrue(x >= 0);
    }
}
