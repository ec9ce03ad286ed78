package io.conduit.perf.jmh.ring;

import com.sun.jna.Platform;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
        assertArrayEquals(new int[]{0, 1}, ThreadAffinity.parse("0,1"));
        assertArrayEquals(new int[]{3, 2}, ThreadAffinity.parse(" 3 , 2 "));
        assertNull(ThreadAffinity.parse("none"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1,1", "0", "0,1,2", "-1,0", "a,b", "", "0,1024"})
    void shouldRefuseAnythingButTwoDistinctCpus(final String value)
    {
        System.setProperty(ThreadAffinity.CPUS_PROP_NAME, value);
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, ThreadAffinity::cpus);
        assertTrue(ex.getMessage().startsWith(ThreadAffinity.CPUS_PROP_NAME + "=" + value + ": expected"),
            ex.getMessage());
    }

    @Test
    void shouldPinAThreadToTheFirstAllowedCpuAndRefuseOneItMayNotUse() throws Exception
    {
        assumeTrue(Platform.isLinux(), "sched_setaffinity is Linux's");
        final int[] cpus = ThreadAffinity.cpus();
        assumeTrue(null != cpus, "fewer than two CPUs allowed");

        final AtomicReference<String> allowed = new AtomicReference<>();
        final Thread thread = new Thread(() ->
        {
            ThreadAffinity.pin(cpus[1]);
            allowed.set(ThreadAffinity.allowedCpus());
        });
        thread.start();
        thread.join();
        assertEquals(String.valueOf(cpus[1]), allowed.get());

        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> ThreadAffinity.pin(1023));
        assertTrue(ex.getMessage().startsWith("sched_setaffinity to cpu=1023 failed: errno="), ex.getMessage());
    }
}
