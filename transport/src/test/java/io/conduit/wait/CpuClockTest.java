package io.conduit.wait;

import org.junit.jupiter.api.Test;

import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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

    /**
     * A given thread's CPU time is that thread's, not the caller's: one that burned 30 ms shows them, one parked
     * throughout shows next to nothing. The process's counts every thread's: at least both of those and the caller's.
     */
    @Test
    void shouldMeasureGivenThreadAndProcessCpuTime() throws InterruptedException
    {
        final CountDownLatch burnt = new CountDownLatch(1);
        final CountDownLatch done = new CountDownLatch(1);
        final Thread burner = new Thread(() ->
        {
            burn();
            burnt.countDown();
            awaitQuietly(done);
        });
        final Thread parked = new Thread(() -> awaitQuietly(done));
        burner.start();
        parked.start();
        try
        {
            assertTrue(burnt.await(10, TimeUnit.SECONDS), "the burner never finished");
            final long burnerNs = CpuClock.threadCpuTimeNs(burner);
            final long parkedNs = CpuClock.threadCpuTimeNs(parked);
            final long currentNs = CpuClock.currentThreadCpuTimeNs();
            final long processNs = CpuClock.processCpuTimeNs();

            assertTrue(burnerNs >= BURN_NS / 2, "burnerNs=" + burnerNs);
            assertTrue(parkedNs >= 0 && parkedNs < BURN_NS / 2, "parkedNs=" + parkedNs);
            assertTrue(currentNs > 0, "currentNs=" + currentNs);
            if (CpuClock.isNative()) // the MXBean fallback ticks in 10 ms steps
            {
                assertTrue(processNs >= burnerNs + parkedNs + currentNs, "processNs=" + processNs + " burnerNs=" +
                    burnerNs + " parkedNs=" + parkedNs + " currentNs=" + currentNs);
            }
        }
        finally
        {
            done.countDown();
            burner.join();
            parked.join();
        }
    }

    private static void awaitQuietly(final CountDownLatch latch)
    {
        try
        {
            latch.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
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

    /**
     * On a virtual thread (JDK 21 and later) the calling thread's CPU time is unavailable: the OS thread's clock
     * counted its carrier's time, spent on other virtual threads too (303 ms for a virtual thread that slept, in the
     * review's run). A platform thread is still measured. Skipped before JDK 21, which has no virtual threads.
     */
    @Test
    void shouldReportUnavailableOnAVirtualThread() throws Exception
    {
        assumeTrue(Runtime.version().feature() >= 21, "virtual threads: JDK 21 or later");
        final long[] measured = {0};
        final Thread virtual = (Thread)Thread.class.getMethod("startVirtualThread", Runnable.class)
            .invoke(null, (Runnable)() -> measured[0] = CpuClock.currentThreadCpuTimeNs());
        virtual.join(10_000);
        assertTrue(CpuClock.isVirtual(virtual));
        assertEquals(CpuClock.UNAVAILABLE, measured[0]);
        assertFalse(CpuClock.isVirtual(Thread.currentThread()));
        assertTrue(CpuClock.currentThreadCpuTimeNs() > 0);
    }
}
