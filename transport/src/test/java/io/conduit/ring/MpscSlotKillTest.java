package io.conduit.ring;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.conduit.file.ChannelFileDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A producer can be killed at any instant, and threads sharing one ring object claim at once. Whatever the slot then
 * holds, the consumer takes as the extent of a dead claim and skips at once: so every value the slot's claim word
 * ever holds must be one whole claim of that object, never a range that reaches over a claim of another producer.
 * The claim word takes one release store per claim; the tests record every store to it.
 */
class MpscSlotKillTest
{
    static final int CAPACITY = 64 * 1024;

    /** A header that records every store to the claim word of producer slots, in order. */
    static final class RecordingHeader extends UnsafeBuffer
    {
        final List<long[]> slotStores = Collections.synchronizedList(new ArrayList<>());

        RecordingHeader()
        {
            super(ByteBuffer.allocateDirect(FILE_HEADER_LENGTH));
        }

        private void record(final int index, final long value, final boolean ordered)
        {
            if (index >= PRODUCER_SLOTS_OFFSET)
            {
                final int inSlot = (index - PRODUCER_SLOTS_OFFSET) % PRODUCER_SLOT_LENGTH;
                if (inSlot >= SLOT_CLAIM_OFFSET && inSlot < SLOT_MESSAGES_SENT_OFFSET)
                {
                    slotStores.add(new long[]{index, value, ordered ? 1 : 0});
                }
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
    void shouldRecordEachClaimWholeInOneReleaseStore()
    {
        final RecordingHeader header = new RecordingHeader();
        final MpscRing ring = new MpscRing(
            header, new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY)), 1024, 1_000_000_000L, "slot-kill");
        final UnsafeBuffer body = new UnsafeBuffer(new byte[1024]);
        final int slot = producerSlotOffset(0);

        // a short claim, then a long one: a mix of the two would reach past the short one
        assertTrue(ring.offer(1, body, 0, 8));
        final long firstEnd = ring.tailPosition();
        header.slotStores.clear();
        assertTrue(ring.offer(2, body, 0, 1000));
        final long secondEnd = ring.tailPosition();

        assertEquals(1, header.slotStores.size(), "one store per claim");
        final long[] store = header.slotStores.get(0);
        assertEquals(slot + SLOT_CLAIM_OFFSET, store[0]);
        assertEquals(1, store[2], "a release store: seen by another process no earlier than what came before it");
        assertEquals(slotClaim(firstEnd, secondEnd - firstEnd), store[1]);
        assertEquals(secondEnd - firstEnd, slotClaimLength(store[1]));
        assertEquals(0, slotClaimDistance(store[1], firstEnd));
    }

    /**
     * Two threads claim through one ring object as fast as they can: every value stored in the slot is one of the
     * claims actually made, a committed record at its position of exactly that length. Both threads spin on one flag
     * to start together, and the race runs over many fresh rings (each small enough not to wrap), so the two
     * threads' claims really interleave rather than run one after the other.
     */
    @Test
    void shouldRecordOnlyWholeClaimsWhenThreadsShareTheRingObject() throws Exception
    {
        for (int round = 0; round < 100; round++)
        {
            raceTwoThreadsOnOneRingObject(round);
        }
    }

    private static void raceTwoThreadsOnOneRingObject(final int round) throws Exception
    {
        final RecordingHeader header = new RecordingHeader();
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY));
        final MpscRing ring = new MpscRing(header, buffer, 1024, 1_000_000_000L, "slot-threads");
        final int perThread = 200; // both threads' records fit in the ring without wrapping
        final AtomicInteger ready = new AtomicInteger();
        final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        final Thread[] threads = new Thread[2];
        for (int t = 0; t < threads.length; t++)
        {
            final int length = 8 + 64 * t; // one line, or two: lengths differ between the threads
            threads[t] = new Thread(() ->
            {
                try
                {
                    final UnsafeBuffer body = new UnsafeBuffer(new byte[length]);
                    ready.incrementAndGet();
                    while (ready.get() < threads.length)
                    {
                        Thread.onSpinWait();
                    }
                    for (int i = 0; i < perThread; i++)
                    {
                        assertTrue(ring.offer(1, body, 0, length));
                    }
                }
                catch (final Throwable ex)
                {
                    failures.add(ex);
                }
            });
            threads[t].start();
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }
        assertEquals(List.of(), failures, "round " + round);
        assertTrue(ring.tailPosition() < CAPACITY, "wrapped: the check below reads records where the claims were");

        // the registration's reset to 0, then one store per claim
        assertEquals(0, header.slotStores.get(0)[1]);
        assertEquals(2 * perThread + 1, header.slotStores.size(), "one store per claim, round " + round);
        for (final long[] store : header.slotStores.subList(1, header.slotStores.size()))
        {
            final long claim = store[1];
            final long position = -slotClaimDistance(claim, 0);
            final long recordHeader = buffer.getLongVolatile((int)position);
            assertTrue(RecordDescriptor.frameLength(recordHeader) > 0, "no committed record at " + position);
            assertEquals(RecordDescriptor.alignedLength(RecordDescriptor.frameLength(recordHeader)),
                slotClaimLength(claim), "claim word at " + position + " holds another claim's length, round " + round);
        }
        assertEquals(2 * perThread, ring.read((typeId, b, offset, length) -> { }, Integer.MAX_VALUE));
    }
}
