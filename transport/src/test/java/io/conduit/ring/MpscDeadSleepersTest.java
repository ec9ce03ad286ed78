package io.conduit.ring;

import io.conduit.file.ChannelFile;
import io.conduit.file.ChannelOptions;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static io.conduit.file.ChannelFileDescriptor.*;
import static io.conduit.ring.MpscDeadClaimTest.DEAD_PID;
import static io.conduit.ring.MpscDeadClaimTest.setSlot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Producer threads asleep for space are counted in their slot as well as in the shared space waiters count. A process
 * killed asleep leaves both counts up; the consumer takes a dead process's sleepers back out of the shared count
 * (at attach, and after a run of space wake-ups that woke nobody), freeing its slot, but never a live process's, and
 * not before the dead process's last claim is consumed, since until then its slot is how that claim is known dead.
 * The sleepers of the killed process are laid in the header as it would leave them; {@code ChannelTest} kills a real
 * one.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MpscDeadSleepersTest
{
    static final int CAPACITY = 4096;

    @TempDir
    Path dir;

    @Test
    void shouldTakeADeadProcesssSleepersOutAtAttachButNotALiveOnes() throws Exception
    {
        try (ChannelFile file = ChannelFile.create(dir, "sleepers", options()))
        {
            final MpscRing ring = (MpscRing)file.ring();
            final AtomicBuffer header = file.headerBuffer();
            final long livePid = ProcessHandle.current().parent().orElseThrow().pid();
            setSlot(header, 3, DEAD_PID, 0);
            header.putLongVolatile(producerSlotOffset(3) + SLOT_SPACE_SLEEPERS_OFFSET, 2);
            setSlot(header, 7, livePid, 0);
            header.putLongVolatile(producerSlotOffset(7) + SLOT_SPACE_SLEEPERS_OFFSET, 1);
            header.putIntVolatile(SPACE_WAITERS_OFFSET, 3);

            assertEquals(0, ring.read((t, b, o, l) -> { }, 10)); // attaches the consumer

            assertEquals(1, header.getIntVolatile(SPACE_WAITERS_OFFSET), "the live process's sleeper stays counted");
            assertEquals(0, header.getLongVolatile(producerSlotOffset(3) + SLOT_SPACE_SLEEPERS_OFFSET));
            assertEquals(0, header.getLongVolatile(producerSlotOffset(3) + SLOT_PID_OFFSET), "the dead slot is free");
            assertEquals(1, header.getLongVolatile(producerSlotOffset(7) + SLOT_SPACE_SLEEPERS_OFFSET));
            assertEquals(livePid, header.getLongVolatile(producerSlotOffset(7) + SLOT_PID_OFFSET));
        }
    }

    /**
     * A process killed between its slot's count and the shared one counted itself in the slot only: taking it out
     * must leave the shared count at 0, not -1 (which would cost every freed batch a wake-up call for good).
     */
    @Test
    void shouldNeverTakeTheSharedCountBelowZero() throws Exception
    {
        try (ChannelFile file = ChannelFile.create(dir, "sleepers", options()))
        {
            final MpscRing ring = (MpscRing)file.ring();
            final AtomicBuffer header = file.headerBuffer();
            setSlot(header, 4, DEAD_PID, 0);
            header.putLongVolatile(producerSlotOffset(4) + SLOT_SPACE_SLEEPERS_OFFSET, 1);
            header.putIntVolatile(SPACE_WAITERS_OFFSET, 0);

            assertEquals(0, ring.read((t, b, o, l) -> { }, 10)); // attaches the consumer

            assertEquals(0, header.getIntVolatile(SPACE_WAITERS_OFFSET));
            assertEquals(0, header.getLongVolatile(producerSlotOffset(4) + SLOT_SPACE_SLEEPERS_OFFSET));
            assertEquals(0, header.getLongVolatile(producerSlotOffset(4) + SLOT_PID_OFFSET));
        }
    }

    /**
     * The dead process's claim, not yet consumed, keeps its slot (and count) when the consumer attaches: the slot is
     * how that claim is known dead, and skipped at once. Once the claim is skipped and consumed, the consumer finds the
     * dead sleeper through the wake-ups for nobody that it causes.
     */
    @Test
    void shouldTakeADeadProcesssSleepersOutAfterWakeUpsForNobodyOnceItsClaimIsConsumed() throws Exception
    {
        try (ChannelFile file = ChannelFile.create(dir, "sleepers", options()))
        {
            final MpscRing ring = (MpscRing)file.ring();
            final AtomicBuffer header = file.headerBuffer();
            final UnsafeBuffer message = new UnsafeBuffer(new byte[24]);
            assertTrue(ring.offer(1, message, 0, 24)); // this process's own slot

            // a producer killed asleep, its last claim (one line, unmarked) after the message at the head
            final long head = ring.headPosition();
            final int claimOffset = ring.tryClaim(1, 24); // made here, laid out as the dead process's
            final int deadSlot = 9;
            setSlot(header, deadSlot, DEAD_PID, slotClaim(head + 64, 64));
            header.putLongVolatile(producerSlotOffset(deadSlot) + SLOT_SPACE_SLEEPERS_OFFSET, 1);
            header.putIntVolatile(SPACE_WAITERS_OFFSET, 1);
            assertTrue(claimOffset > 0);
            ring.buffer().putLongVolatile(claimOffset - 8, 0L); // unmarked, as a process killed before its mark
            assertEquals(1, ring.read((t, b, o, l) -> { }, 10)); // attaches the consumer
            assertEquals(DEAD_PID, header.getLongVolatile(producerSlotOffset(deadSlot) + SLOT_PID_OFFSET),
                "the slot of a dead process whose claim is ahead of the head is kept at attach");
            assertEquals(1, header.getIntVolatile(SPACE_WAITERS_OFFSET));

            final long wakeUpsBefore = header.getLongVolatile(SPACE_WAKE_UPS_OFFSET);
            int rounds = 0;
            while (0 != header.getIntVolatile(SPACE_WAITERS_OFFSET) && rounds < 100_000)
            {
                ring.offer(1, message, 0, 24); // refused while the dead claim holds the head and the ring is full
                ring.read((t, b, o, l) -> { }, 100);
                rounds++;
            }
            assertEquals(0, header.getIntVolatile(SPACE_WAITERS_OFFSET), "after " + rounds + " rounds");
            assertEquals(0, header.getLongVolatile(producerSlotOffset(deadSlot) + SLOT_SPACE_SLEEPERS_OFFSET));
            assertEquals(0, header.getLongVolatile(producerSlotOffset(deadSlot) + SLOT_PID_OFFSET));
            assertEquals(1, ring.recordsSkipped(), "the dead claim was skipped first");
            final long wakeUps = header.getLongVolatile(SPACE_WAKE_UPS_OFFSET);
            assertTrue(wakeUps - wakeUpsBefore >= MpscRing.EMPTY_SPACE_WAKES_LIMIT,
                "found through wake-ups for nobody: " + (wakeUps - wakeUpsBefore));

            for (int i = 0; i < 1_000; i++)
            {
                assertTrue(ring.offer(1, message, 0, 24));
                assertEquals(1, ring.read((t, b, o, l) -> { }, 100));
            }
            assertEquals(wakeUps, header.getLongVolatile(SPACE_WAKE_UPS_OFFSET), "no more wake-ups for nobody");
        }
    }

    /**
     * Looks made because of wake-ups for nobody check processes' liveness, so they come at most once a second: a
     * second dead sleeper planted right after a look stays counted through another run of such wake-ups, and is taken
     * out at the first run once the second has passed (moved back here rather than waited for).
     */
    @Test
    void shouldLookForDeadSleepersAtMostOnceAnInterval() throws Exception
    {
        try (ChannelFile file = ChannelFile.create(dir, "sleepers", options()))
        {
            final MpscRing ring = (MpscRing)file.ring();
            final AtomicBuffer header = file.headerBuffer();
            final UnsafeBuffer message = new UnsafeBuffer(new byte[24]);
            assertEquals(0, ring.read((t, b, o, l) -> { }, 10));
            plantDeadSleeper(header, 5);
            assertTrue(roundsUntilNoWaiters(ring, message, header, 10_000) >= 0, "no first look");

            plantDeadSleeper(header, 6); // just after a look: the next is an interval away
            // the look just made, moved a minute on: however slowly this machine runs the 2,000 rounds below, the
            // interval cannot pass during them, and a ring that ignored it would still look
            ring.lastReclaimNs += TimeUnit.MINUTES.toNanos(1);
            final long wakeUpsBefore = header.getLongVolatile(SPACE_WAKE_UPS_OFFSET);
            assertTrue(roundsUntilNoWaiters(ring, message, header, 2_000) < 0,
                "looked again within the interval, after " + MpscRing.EMPTY_SPACE_WAKES_LIMIT + "+ empty wake-ups");
            assertTrue(
                header.getLongVolatile(SPACE_WAKE_UPS_OFFSET) - wakeUpsBefore >= MpscRing.EMPTY_SPACE_WAKES_LIMIT,
                "enough wake-ups for nobody to call for a look, had the interval allowed it");
            ring.lastReclaimNs -= TimeUnit.MINUTES.toNanos(1) + MpscRing.RECLAIM_INTERVAL_NS; // the interval passes
            assertTrue(roundsUntilNoWaiters(ring, message, header, 10_000) >= 0, "no look once the interval passed");
        }
    }

    private static void plantDeadSleeper(final AtomicBuffer header, final int slot)
    {
        setSlot(header, slot, DEAD_PID, 0);
        header.putLongVolatile(producerSlotOffset(slot) + SLOT_SPACE_SLEEPERS_OFFSET, 1);
        header.putIntVolatile(SPACE_WAITERS_OFFSET, 1);
    }

    /**
     * Send and read one message a round, each granule cleaned paying a wake-up for nobody, until the shared count is
     * 0.
     *
     * @return rounds taken, or -1 if the count was still up after {@code maxRounds}.
     */
    private static int roundsUntilNoWaiters(
        final MpscRing ring, final UnsafeBuffer message, final AtomicBuffer header, final int maxRounds)
    {
        for (int round = 0; round < maxRounds; round++)
        {
            if (0 == header.getIntVolatile(SPACE_WAITERS_OFFSET))
            {
                return round;
            }
            assertTrue(ring.offer(1, message, 0, 24));
            assertEquals(1, ring.read((t, b, o, l) -> { }, 10));
        }
        return 0 == header.getIntVolatile(SPACE_WAITERS_OFFSET) ? maxRounds : -1;
    }

    private static ChannelOptions options()
    {
        return ChannelOptions.defaults().kind(RingKind.MPSC).capacity(CAPACITY)
            .stuckClaimTimeoutNs(TimeUnit.SECONDS.toNanos(60));
    }
}
