package io.conduit.perf.harness;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fixed-rate mode starts its schedule again at the first recorded round trip, so a backlog the warm-up built is not
 * charged to every recorded sample; a schedule that is on time is left alone.
 */
class PacerTest
{
    @Test
    void shouldStartTheScheduleAgainOnlyWhenItIsBehind()
    {
        final long interval = 10_000;
        // behind by 350 ms at the end of the warm-up: the first recorded message is intended for now
        assertEquals(1_000_000_000L - interval, Pacer.restartedSchedule(650_000_000L, 1_000_000_000L, interval));
        // on time (the next intended time is still ahead): unchanged
        assertEquals(999_995_000L, Pacer.restartedSchedule(999_995_000L, 1_000_000_000L, interval));
        assertEquals(999_990_000L, Pacer.restartedSchedule(999_990_000L, 1_000_000_000L, interval));
        // across the clock's wrap, by difference
        assertEquals(Long.MIN_VALUE + 5 - interval,
            Pacer.restartedSchedule(Long.MAX_VALUE - 1_000_000, Long.MIN_VALUE + 5, interval));
    }

    /**
     * The restart happens at the first recorded send, the warm-up's count: a sender 50 ms behind a 1 ms schedule at
     * that send is given now, not the 48 ms old intended time; a warm-up send behind is still given its own.
     */
    @Test
    void shouldRestartAtTheFirstRecordedSend() throws InterruptedException
    {
        final long interval = 1_000_000;
        final Pacer pacer = new Pacer(interval, 2);
        final long startNs = System.nanoTime();
        pacer.sendTimeNs(); // warm-up 0, on time
        Thread.sleep(50); // falls behind: the lag is the set-up, not a race
        final long warmupSent = pacer.sendTimeNs(); // warm-up 1: still on the old schedule
        assertTrue(warmupSent - startNs <= 3 * interval, "warm-up keeps its intended time: " + (warmupSent - startNs));
        final long beforeNs = System.nanoTime();
        final long recordedSent = pacer.sendTimeNs(); // the first recorded send
        assertTrue(recordedSent - beforeNs >= -interval, "restarted at now: " + (recordedSent - beforeNs) + " ns");
    }
}
