package io.conduit.perf.jmh.ring;

import com.sun.jna.Platform;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmh.infra.ThreadParams;

import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ThreadAffinityTest
{
    @AfterEach
    void clearProperty()
    {
        System.clearProperty(ThreadAffinity.CPUS_PROP_NAME);
    }

    @Test
    void shouldParseTwoCpusOrNone()
    {
        assertArrayEquals(new int[]{0, 1}, ThreadAffinity.parse("0,1", true));
        assertArrayEquals(new int[]{3, 2}, ThreadAffinity.parse(" 3 , 2 ", true));
        assertNull(ThreadAffinity.parse("none", true));
        assertNull(ThreadAffinity.parse("none", false));
    }

    @Test
    void shouldRefuseCpusWhereThereIsNoSchedSetaffinity()
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> ThreadAffinity.parse("0,1", false));
        assertEquals(ThreadAffinity.CPUS_PROP_NAME + "=0,1: pinning needs Linux's sched_setaffinity; set none on " +
            "this system", ex.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1,1", "0", "0,1,2", "-1,0", "a,b", "", "0,1024"})
    void shouldRefuseAnythingButTwoDistinctCpus(final String value)
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> ThreadAffinity.parse(value, true));
        assertTrue(ex.getMessage().startsWith(ThreadAffinity.CPUS_PROP_NAME + "=" + value + ": expected"),
            ex.getMessage());
    }

    @Test
    void shouldDefaultToTheFirstTwoAllowedCpusPinAThreadToOneAndRefuseOneItMayNotUse() throws Exception
    {
        assumeTrue(Platform.isLinux(), "sched_setaffinity is Linux's");
        final int[] cpus = ThreadAffinity.cpus();
        assumeTrue(null != cpus, "fewer than two CPUs allowed");
        final String[] allowed = ThreadAffinity.allowedCpus().split(",");
        assertArrayEquals(new int[]{Integer.parseInt(allowed[0]), Integer.parseInt(allowed[1])}, cpus);

        final AtomicReference<String> pinned = new AtomicReference<>();
        final Thread thread = new Thread(() ->
        {
            ThreadAffinity.pin(cpus[1]);
            pinned.set(ThreadAffinity.allowedCpus());
        });
        thread.start();
        thread.join();
        assertEquals(String.valueOf(cpus[1]), pinned.get());

        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> ThreadAffinity.pin(1023));
        assertTrue(ex.getMessage().startsWith("sched_setaffinity to cpu=1023 failed: errno="), ex.getMessage());
    }

    @Test
    void shouldRefuseToPinMoreThanOneThreadASide()
    {
        // ThreadParams(threadIdx, threadCount, groupIdx, groupCount, subgroupIdx, subgroupCount,
        //     groupThreadIdx, groupThreadCount, subgroupThreadIdx, subgroupThreadCount)
        RingThroughputBenchmark.checkOneThreadASide(new ThreadParams(0, 2, 0, 1, 0, 2, 0, 2, 0, 1));

        final IllegalStateException twoProducers = assertThrows(IllegalStateException.class,
            () -> RingThroughputBenchmark.checkOneThreadASide(new ThreadParams(0, 3, 0, 1, 0, 2, 0, 3, 0, 2)));
        assertTrue(twoProducers.getMessage().contains("1 group(s) of 3 threads"), twoProducers.getMessage());
        // the lone consumer of that group (its own subgroup holds one thread) is refused too: pinned alone, it would
        // leave the two sides pinned unlike each other
        final IllegalStateException loneSide = assertThrows(IllegalStateException.class,
            () -> RingThroughputBenchmark.checkOneThreadASide(new ThreadParams(2, 3, 0, 1, 1, 2, 2, 3, 0, 1)));
        assertTrue(loneSide.getMessage().contains("1 group(s) of 3 threads"), loneSide.getMessage());
        final IllegalStateException twoGroups = assertThrows(IllegalStateException.class,
            () -> RingThroughputBenchmark.checkOneThreadASide(new ThreadParams(0, 4, 0, 2, 0, 2, 0, 2, 0, 1)));
        assertTrue(twoGroups.getMessage().contains("2 group(s) of 2 threads") &&
            twoGroups.getMessage().contains(ThreadAffinity.CPUS_PROP_NAME + "=none"), twoGroups.getMessage());
    }

    @Test
    void shouldRunUnpinnedByDefaultWhereItCannotPinButFailWhenPinningWasAskedFor() throws Exception
    {
        assumeTrue(Platform.isLinux(), "sched_setaffinity is Linux's");
        final int[] cpus = ThreadAffinity.cpus();
        assumeTrue(null != cpus, "fewer than two CPUs allowed");
        final String allowedBefore = ThreadAffinity.allowedCpus();
        final ThreadParams twoProducers = new ThreadParams(0, 3, 0, 1, 0, 2, 0, 3, 0, 2);

        final AtomicReference<String> after = new AtomicReference<>();
        final Thread thread = new Thread(() ->
        {
            RingThroughputBenchmark.pinSide(twoProducers, 0);
            after.set(ThreadAffinity.allowedCpus());
        });
        thread.start();
        thread.join();
        assertEquals(allowedBefore, after.get());

        System.setProperty(ThreadAffinity.CPUS_PROP_NAME, cpus[0] + "," + cpus[1]);
        // not the test's own thread: were it pinned, the suite would stay so. A FutureTask hands back what the
        // thread threw, so a failure there fails the test with its own message
        final java.util.concurrent.FutureTask<String> asked = new java.util.concurrent.FutureTask<>(() ->
        {
            final IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> RingThroughputBenchmark.pinSide(twoProducers, 0));
            assertTrue(refused.getMessage().startsWith("pinning gives one producer and one consumer a CPU each"),
                refused.getMessage());
            return ThreadAffinity.allowedCpus();
        });
        final Thread thread2 = new Thread(asked);
        thread2.start();
        assertEquals(allowedBefore, asked.get(30, java.util.concurrent.TimeUnit.SECONDS));
    }

    @Test
    void shouldPinEachSideToItsOwnCpu() throws Exception
    {
        assumeTrue(Platform.isLinux(), "sched_setaffinity is Linux's");
        final int[] cpus = ThreadAffinity.cpus();
        assumeTrue(null != cpus, "fewer than two CPUs allowed");
        final ThreadParams oneASide = new ThreadParams(0, 2, 0, 1, 0, 2, 0, 2, 0, 1);

        final String[] pinned = new String[2];
        for (int side = 0; side < 2; side++)
        {
            final int s = side;
            final Thread thread = new Thread(() ->
            {
                RingThroughputBenchmark.pinSide(oneASide, s);
                pinned[s] = ThreadAffinity.allowedCpus();
            });
            thread.start();
            thread.join();
        }
        assertArrayEquals(new String[]{String.valueOf(cpus[0]), String.valueOf(cpus[1])}, pinned);
    }
}
