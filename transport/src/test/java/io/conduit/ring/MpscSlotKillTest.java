package io.conduit.ring;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static io.conduit.file.ChannelFileDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A producer can be killed between any two of the stores with which it records a claim in its slot. Whatever it
 * leaves there, the consumer takes as the extent of a dead claim and skips at once: so every state the slot passes
 * through must be one of the producer's own claims or empty, never a range that reaches over a claim of another
 * producer. The test records the slot stores of a real claim, then replays them one at a time.
 */
class MpscSlotKillTest
{
    static final int CAPACITY = 64 * 1024;

    /** A header that records every store to the claim fields of producer slots, in order. */
    static final class RecordingHeader extends UnsafeBuffer
    {
        final List<long[]> slotStores = new ArrayList<>();

        RecordingHeader()
        {
            super(ByteBuffer.allocateDirect(FILE_HEADER_LENGTH));
        }

        private void record(final int index, final long value, final boolean ordered)
        {
            final int inSlot = (index - PRODUCER_SLOTS_OFFSET) % PRODUCER_SLOT_LENGTH;
            if (index >= PRODUCER_SLOTS_OFFSET &&
                (SLOT_CLAIM_POSITION_OFFSET == inSlot || SLOT_CLAIM_LENGTH_OFFSET == inSlot))
            {
                slotStores.add(new long[]{index, value, ordered ? 1 : 0});
            }
        }

        @Override
        public void putLong(final int index, final long value)
        {
            record(index, value, false);
            super.putLong(index, value);
        }

        @Override
        public void putLongRelease(final int index, final long value)
        {
            record(index, value, true);
            super.putLongRelease(index, value);
        }

        @Override
        public void putLongVolatile(final int index, final long value)
        {
            record(index, value, true);
            super.putLongVolatile(index, value);
        }
    }

    @Test
    void shouldRecordOnlyTheClaimsOfTheThreadThatRegisteredTheSlot() throws Exception
    {
        final RecordingHeader header = new RecordingHeader();
        final MpscRing ring = new MpscRing(
            header, new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY)), 1024, 1_000_000_000L, "slot-owner");
        final UnsafeBuffer body = new UnsafeBuffer(new byte[8]);
        assertTrue(ring.offer(1, body, 0, 8)); // registers the slot from this thread
        final int slot = producerSlotOffset(0);
        final long ownClaim = header.getLong(slot + SLOT_CLAIM_POSITION_OFFSET);
        assertFalse(header.slotStores.isEmpty());

        header.slotStores.clear();
        final Thread other = new Thread(() ->
        {
            for (int i = 0; i < 5; i++)
            {
                assertTrue(ring.offer(1, body, 0, 8));
            }
        });
        other.start();
        other.join();
        // a second thread's stores could interleave with the owner's into a range over other processes' claims
        assertTrue(header.slotStores.isEmpty(), () -> header.slotStores.size() + " slot stores by another thread");
        assertEquals(ownClaim, header.getLong(slot + SLOT_CLAIM_POSITION_OFFSET));

        assertTrue(ring.offer(1, body, 0, 8));
        assertEquals(3, header.slotStores.size(), "the owner records its claims again");
        assertEquals(ring.tailPosition() - RecordDescriptor.ALIGNMENT, header.getLong(slot + SLOT_CLAIM_POSITION_OFFSET));
        assertEquals(7, ring.read((typeId, buffer, offset, length) -> { }, 100));
        assertEquals(7, ring.messagesSent());
    }

    @Test
    void shouldLeaveOnlyItsOwnClaimOrNothingInItsSlotWhereverTheProducerDies()
    {
        final RecordingHeader header = new RecordingHeader();
        final MpscRing ring = new MpscRing(
            header, new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY)), 1024, 1_000_000_000L, "slot-kill");
        final UnsafeBuffer body = new UnsafeBuffer(new byte[1024]);

        // a short claim, then a long one: the long claim's length over the short claim's position would reach past it
        final int first = ring.tryClaim(1, 8);
        ring.commit(first);
        final long firstStart = first - RecordDescriptor.HEADER_LENGTH;
        final long firstEnd = ring.tailPosition();
        final int slot = producerSlotOffset(0);
        assertEquals(firstStart, header.getLong(slot + SLOT_CLAIM_POSITION_OFFSET));
        assertEquals(firstEnd - firstStart, header.getLong(slot + SLOT_CLAIM_LENGTH_OFFSET));

        header.slotStores.clear();
        assertTrue(ring.offer(2, body, 0, 1000));
        final long secondEnd = ring.tailPosition();
        final List<long[]> stores = new ArrayList<>(header.slotStores);
        assertFalse(stores.isEmpty(), "no slot store recorded for the second claim");

        // replay: the slot as it was after the first claim, then after each store of the second
        long position = firstStart;
        long length = firstEnd - firstStart;
        for (int i = 0; i <= stores.size(); i++)
        {
            final long start = position;
            final long end = position + length;
            final boolean empty = 0 == length;
            final boolean firstClaim = start == firstStart && end == firstEnd;
            final boolean secondClaim = start == firstEnd && end == secondEnd;
            final int killedAfter = i;
            assertTrue(empty || firstClaim || secondClaim, () -> "killed after store " + killedAfter + " of " + stores.size() +
                ": slot says [" + start + ", " + end + "), claims were [" + firstStart + ", " + firstEnd +
                ") and [" + firstEnd + ", " + secondEnd + ")");
            if (i < stores.size())
            {
                final long[] store = stores.get(i);
                assertTrue(slot + SLOT_CLAIM_POSITION_OFFSET == store[0] || slot + SLOT_CLAIM_LENGTH_OFFSET == store[0],
                    () -> "a store to another slot: offset " + store[0]);
                // the replay assumes the stores land in program order: each after the first must be a release
                assertTrue(0 == i || 1 == store[2], () -> "store " + killedAfter + " is plain: another process could " +
                    "see it before the store ahead of it");
                if (slot + SLOT_CLAIM_POSITION_OFFSET == store[0])
                {
                    position = store[1];
                }
                else
                {
                    length = store[1];
                }
            }
        }
        assertEquals(firstEnd, position, "the slot ends on the second claim");
        assertEquals(secondEnd - firstEnd, length);
    }
}
