package io.conduit.ring;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import static io.conduit.file.ChannelFileDescriptor.*;
import static io.conduit.ring.MpscDeadClaimTest.DEAD_PID;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A producer slot keeps its claim's position modulo 2^44 bytes, so a claim word left in the slot of a dead producer
 * would come to cover positions again 16 TiB on. The consumer clears every consumed claim word when it attaches and
 * once per GiB of traffic, and a dead producer's slot is given to a new producer only once its last claim is
 * consumed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MpscClaimSweepTest
{
    static final int CAPACITY = 64 * 1024;
    /** Where the head and tail start: anywhere but 0, a whole number of lines. */
    static final long START = 5L << 20;

    private final UnsafeBuffer header = new UnsafeBuffer(ByteBuffer.allocateDirect(FILE_HEADER_LENGTH));
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY));

    MpscClaimSweepTest()
    {
        header.putLong(HEAD_POSITION_OFFSET, START);
        header.putLong(TAIL_POSITION_OFFSET, START);
        header.putLong(CLEAN_POSITION_OFFSET, START);
        header.putLong(HEAD_CACHE_POSITION_OFFSET, START);
    }

    @Test
    void shouldClearConsumedClaimsWhenTheConsumerAttachesAndThenEveryGib()
    {
        final long behind = slotClaim(START - 4096, 128);
        final long ahead = slotClaim(START + 64, 128);
        MpscDeadClaimTest.setSlot(header, 5, DEAD_PID, behind);
        MpscDeadClaimTest.setSlot(header, 6, DEAD_PID, ahead);
        final MpscRing ring = new MpscRing(header, buffer, 1024, 1_000_000_000L, "sweep");

        assertEquals(0, ring.read((typeId, b, offset, length) -> { }, 10)); // attaches
        assertEquals(0, claimOf(5), "a consumed claim is cleared at attach");
        assertEquals(ahead, claimOf(6), "a claim ahead of the head stays");

        // planted behind the head after the attach: cleared at the first sweep, one GiB on, not before
        final long planted = slotClaim(START - 640, 64);
        MpscDeadClaimTest.setSlot(header, 7, DEAD_PID, planted);
        final UnsafeBuffer body = new UnsafeBuffer(new byte[56]); // one line a message
        final long messagesPerGib = MpscRing.CLAIM_SWEEP_INTERVAL / RecordDescriptor.ALIGNMENT;
        final int batch = 256;
        long sent = 0;
        while (sent < messagesPerGib - 2 * batch)
        {
            sent += exchange(ring, body, batch);
        }
        assertEquals(planted, claimOf(7), "cleared before a GiB had passed");
        while (sent < messagesPerGib + 2 * batch)
        {
            sent += exchange(ring, body, batch);
        }
        assertEquals(0, claimOf(7), "not cleared a GiB on");
        assertEquals(0, claimOf(6), "the claim that was ahead at attach, consumed since");
    }

    @Test
    void shouldGiveADeadProducersSlotToANewProducerOnlyOnceItsLastClaimIsConsumed()
    {
        MpscDeadClaimTest.setSlot(header, 0, DEAD_PID, slotClaim(START, 128)); // not consumed: the head is at its start
        MpscDeadClaimTest.setSlot(header, 1, DEAD_PID, slotClaim(START - 128, 128)); // consumed: ends at the head
        final MpscRing ring = new MpscRing(header, buffer, 1024, 1_000_000_000L, "reuse");

        assertTrue(ring.offer(1, new UnsafeBuffer(new byte[8]), 0, 8));

        final long pid = ProcessIdentity.current();
        assertEquals(DEAD_PID, header.getLongVolatile(producerSlotOffset(0) + SLOT_PID_OFFSET),
            "a dead producer's slot whose claim the consumer has not passed stays its");
        assertEquals(pid, header.getLongVolatile(producerSlotOffset(1) + SLOT_PID_OFFSET));
        assertEquals(slotClaim(START, 64), claimOf(1), "the new producer's claim");
    }

    private int exchange(final MpscRing ring, final UnsafeBuffer body, final int batch)
    {
        for (int i = 0; i < batch; i++)
        {
            assertTrue(ring.offer(1, body, 0, body.capacity()));
        }
        assertEquals(batch, ring.read((typeId, b, offset, length) -> { }, batch));
        return batch;
    }

    private long claimOf(final int slot)
    {
        return header.getLongVolatile(producerSlotOffset(slot) + SLOT_CLAIM_OFFSET);
    }
}
