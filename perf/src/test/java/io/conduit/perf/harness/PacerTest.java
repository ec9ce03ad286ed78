package io.conduit.perf.harness;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
