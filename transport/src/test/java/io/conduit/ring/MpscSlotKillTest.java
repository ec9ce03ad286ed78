package io.conduit.ring;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.conduit.file.ChannelFileDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A producer can be killed at any instant, and threads sharing one ring object claim at once. Whatever the slot then
 * holds, the consumer takes as the extent of a dead claim and skips at once: so every value the slot's claim word
 * ever holds must be one whole claim of that object, never a range that reaches over a claim of another producer.
 * The claim word takes one release store per claim; the tests record every store to it, so a kill after any of them
 * is covered.
 */
class MpscSlotKillTest
{
    static final int CAPACITY = 64 * 1024;

    /** A header that records every store to the claim word of producer slots, in order. */
    static final class RecordingHeader extends UnsafeBuffer
    {
        final List<long[]> slotStores = Collections.synchronizedList(new ArrayList<>());
        /** Run on the claiming thread after each compare-and-set that moves the tail, before the slot store. */
        volatile Runnable onTailMoved = () -> { };

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

        @Override
        public boolean compareAndSetLong(final int index, final long expectedValue, final long updateValue)
        {
            final boolean moved = super.compareAndSetLong(index, expectedValue, updateValue);
            if (moved && TAIL_POSITION_OFFSET == index)
            {
                onTailMoved.run();
            }
            return moved;
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
     * Two threads claim through one ring object, and one makes a whole claim between the other's move of the tail
     * and its store to the slot: the window in which a slot word built from anything but the claimer's own position
     * and length (a shared field, the tail read again) would mix the two claims. Forced, not hoped for: the first
     * thread is held inside its claim until the second has claimed and committed; the order of the slot stores
     * proves it. Both ways round: the thread that registered the slot held, or another thread. The bias stays off:
     * a claim of another thread revokes a bias and waits for the holder's claim to end first (MpscBiasTest), so it
     * cannot land inside one.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void shouldRecordOnlyWholeClaimsWhenAnotherThreadClaimsInsideAClaim(final boolean ownerHeld) throws Exception
    {
        final RecordingHeader header = new RecordingHeader();
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY));
        final MpscRing ring = new MpscRing(header, buffer, 1024, 1_000_000_000L, "slot-inside");
        ring.biasAllowed = false;
        final UnsafeBuffer body = new UnsafeBuffer(new byte[1024]);
        assertTrue(ring.offer(1, body, 0, 8)); // registers the slot: this thread is its owner
        final long heldPosition = ring.tailPosition();
        final int heldLength = RecordDescriptor.alignedLength(8 + RecordDescriptor.HEADER_LENGTH);
        final int innerLength = RecordDescriptor.alignedLength(72 + RecordDescriptor.HEADER_LENGTH);

        final CountDownLatch heldInside = new CountDownLatch(1);
        final CountDownLatch innerDone = new CountDownLatch(1);
        final FutureTask<Boolean> held = new FutureTask<>(() -> ring.offer(2, body, 0, 8));
        final FutureTask<Boolean> inner = new FutureTask<>(() ->
        {
            try
            {
                assertTrue(heldInside.await(10, TimeUnit.SECONDS), "the held claim never moved the tail");
                return ring.offer(3, body, 0, 72);
            }
            finally
            {
                innerDone.countDown();
            }
        });
        final Thread other = new Thread(ownerHeld ? inner : held, "other");
        final Thread heldThread = ownerHeld ? Thread.currentThread() : other;
        header.onTailMoved = () ->
        {
            if (Thread.currentThread() == heldThread && 1 == heldInside.getCount())
            {
                heldInside.countDown();
                awaitInnerClaim(innerDone);
            }
        };
        other.start();
        (ownerHeld ? held : inner).run();
        assertTrue(held.get(10, TimeUnit.SECONDS));
        assertTrue(inner.get(10, TimeUnit.SECONDS));
        other.join();

        assertEquals(List.of(0L, slotClaim(0, heldPosition), slotClaim(heldPosition + heldLength, innerLength),
            slotClaim(heldPosition, heldLength)), storedValues(header),
            "registration, first claim, then the inner claim's store before the held one's");
        assertWholeClaims(header, buffer, "");
        final List<Integer> types = new ArrayList<>();
        assertEquals(3, ring.read((typeId, b, offset, length) -> types.add(typeId), 10));
        assertEquals(List.of(1, 2, 3), types, "the held claim first in the ring, the inner one after it");
    }

    /**
     * Two threads claim through one ring object as fast as they can, over 100 fresh rings (each small enough not to
     * wrap), the bias allowed: whichever paths and order their claims take, every value stored in the slot is one of
     * the claims actually made, a committed record at its position of exactly that length. Which interleavings a run
     * meets is up to the scheduler;
     * {@link #shouldRecordOnlyWholeClaimsWhenAnotherThreadClaimsInsideAClaim} forces the one that would mix claims.
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

        assertEquals(2 * perThread + 1, header.slotStores.size(), "one store per claim, round " + round);
        assertWholeClaims(header, buffer, ", round " + round);
        assertEquals(2 * perThread, ring.read((typeId, b, offset, length) -> { }, Integer.MAX_VALUE));
    }

    /**
     * The registration's reset to 0, then only whole claims: each stored value names a committed record at its
     * position, of exactly its length.
     */
    private static void assertWholeClaims(final RecordingHeader header, final UnsafeBuffer buffer, final String where)
    {
        assertEquals(0, header.slotStores.get(0)[1], "the registration's reset" + where);
        for (final long[] store : header.slotStores.subList(1, header.slotStores.size()))
        {
            final long claim = store[1];
            final long position = -slotClaimDistance(claim, 0);
            final long recordHeader = buffer.getLongVolatile((int)position);
            assertTrue(RecordDescriptor.frameLength(recordHeader) > 0, "no committed record at " + position + where);
            assertEquals(RecordDescriptor.alignedLength(RecordDescriptor.frameLength(recordHeader)),
                slotClaimLength(claim), "claim word at " + position + " holds another claim's length" + where);
        }
    }

    private static List<Long> storedValues(final RecordingHeader header)
    {
        final List<Long> values = new ArrayList<>();
        for (final long[] store : header.slotStores)
        {
            values.add(store[1]);
        }
        return values;
    }

    private static void awaitInnerClaim(final CountDownLatch innerDone)
    {
        try
        {
            assertTrue(innerDone.await(10, TimeUnit.SECONDS), "the inner claim never ended");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }
}
