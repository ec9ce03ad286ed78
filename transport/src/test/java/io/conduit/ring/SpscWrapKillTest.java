package io.conduit.ring;

import io.conduit.file.ChannelFileDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.conduit.file.ChannelFileDescriptor.PRODUCER_PID_OFFSET;
import static io.conduit.file.ChannelFileDescriptor.TAIL_POSITION_OFFSET;
import static io.conduit.ring.MpscDeadClaimTest.DEAD_PID;
import static io.conduit.ring.MpscDeadClaimTest.PROMPT_POLLS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An SPSC producer killed at every store of a send whose claim wraps (padding to the ring's end, then the record at
 * 0), its body and its commit included, simulated by a buffer that stops taking stores at the chosen one. Whichever
 * store it dies at, the consumer goes
 * on to the end of what was published (skipping the dead claim, counted, if it left one), never stores a head past
 * the stored tail, and a restarted producer and a restarted consumer attach and carry the next message.
 * <p>
 * It was a head past the tail: the padding published before the tail that covers it, a producer killed between the
 * two, and a consumer that read the padding and stored its end as the head. Every later attach then refused the file
 * as corrupt (head past tail), and the channel was lost for good.
 */
class SpscWrapKillTest
{
    private static final int CAPACITY = 4096;
    private static final int MAX_MESSAGE_LENGTH = 120;
    private static final long STUCK_CLAIM_TIMEOUT_NS = 60_000_000_000L;
    private static final int BODY_LENGTH = 72; // two lines: does not fit the last line, so it wraps

    /** One ring in memory: a header and a region sharing a store count. */
    private static final class Rig
    {
        final KillableBuffer.Stores stores = new KillableBuffer.Stores();
        final KillableBuffer header = stores.buffer(ChannelFileDescriptor.FILE_HEADER_LENGTH);
        final KillableBuffer region = stores.buffer(CAPACITY);
        final List<Long> delivered = new ArrayList<>();
        final SpscRing ring = newRing();

        SpscRing newRing()
        {
            return new SpscRing(header, region, MAX_MESSAGE_LENGTH, STUCK_CLAIM_TIMEOUT_NS, "wrap-kill");
        }

        int read(final SpscRing consumer)
        {
            return consumer.read((typeId, buffer, offset, length) -> delivered.add(buffer.getLong(offset)), 100);
        }
    }

    @Test
    void shouldAttachAgainWhereverAProducerDiesInAClaimThatWraps()
    {
        final int storesOfTheClaim = storesOfAWrappingClaim();
        assertTrue(storesOfTheClaim >= 5, "a wrapping send stores two tails, the padding, a body and a commit: " +
            storesOfTheClaim);
        for (int killAt = 1; killAt <= storesOfTheClaim + 1; killAt++)
        {
            for (final boolean consumerFirst : new boolean[] {true, false})
            {
                killAndRestart(killAt, storesOfTheClaim, consumerFirst);
            }
        }
    }

    /**
     * @return how many stores a claim that wraps makes, on a rig brought to the wrap point.
     */
    private static int storesOfAWrappingClaim()
    {
        final Rig rig = new Rig();
        final long sent = fillToTheLastLine(rig);
        rig.stores.arm(Integer.MAX_VALUE);
        send(rig.ring, sent);
        final int stores = rig.stores.made();
        rig.stores.disarm();
        assertEquals(sent, rig.delivered.size());
        return stores;
    }

    /**
     * Kill the producer at its {@code killAt}-th store of a send whose claim wraps (claim, body, commit; one past the
     * last: it dies after the whole send), then read with the consumer and restart the producer, in either order.
     */
    private static void killAndRestart(final int killAt, final int storesOfTheClaim, final boolean consumerFirst)
    {
        final String at = "killed at store " + killAt + (consumerFirst ? ", consumer first" : ", producer first");
        final Rig rig = new Rig();
        final long sent = fillToTheLastLine(rig);
        final long wrapPosition = rig.ring.tailPosition();
        assertEquals(CAPACITY - RecordDescriptor.ALIGNMENT, (int)wrapPosition & (CAPACITY - 1), at);

        rig.stores.arm(killAt);
        boolean committed = true;
        try
        {
            send(rig.ring, sent);
        }
        catch (final KillableBuffer.Killed ex)
        {
            committed = false; // the producer died here
        }
        rig.stores.disarm();
        // every store of the send passes through the killable buffer: the kill lands inside it, or after it
        assertEquals(killAt > storesOfTheClaim, committed, at + ": the send completed");
        rig.header.putLongVolatile(PRODUCER_PID_OFFSET, DEAD_PID);

        final SpscRing consumer = rig.ring; // the first ring object holds the consumer role too, in this process
        if (consumerFirst)
        {
            readWhatWasPublished(rig, consumer, at);
        }
        final SpscRing producer = rig.newRing();
        final UnsafeBuffer message = new UnsafeBuffer(new byte[BODY_LENGTH]);
        message.putLong(0, sent + 1);
        assertTrue(producer.offer(2, message, 0, BODY_LENGTH), at + ": the restarted producer's offer");
        readWhatWasPublished(rig, consumer, at);

        // every message committed once, in order: the dead one if its commit was made, else skipped
        final boolean deadDelivered = rig.delivered.contains(sent);
        final List<Long> expected = new ArrayList<>();
        for (long i = 0; i < sent; i++)
        {
            expected.add(i);
        }
        if (deadDelivered)
        {
            expected.add(sent);
        }
        expected.add(sent + 1);
        assertEquals(expected, rig.delivered, at + ": every committed message once, in order");
        assertTrue(!committed || deadDelivered, at + ": a commit made is delivered");
        assertEquals(producer.tailPosition(), consumer.headPosition(), at);
        assertTrue(consumer.recordsSkipped() <= 1, at + ": skipped " + consumer.recordsSkipped());

        // a restarted consumer attaches too (the role is this process's; its attach checks head against tail)
        final SpscRing restartedConsumer = rig.newRing();
        assertEquals(0, rig.read(restartedConsumer), at);
        message.putLong(0, sent + 2);
        assertTrue(producer.offer(2, message, 0, BODY_LENGTH), at);
        assertEquals(1, rig.read(restartedConsumer), at);
        assertEquals(sent + 2, (long)rig.delivered.get(rig.delivered.size() - 1), at + ": the next message");
        assertThrows(IllegalArgumentException.class, () -> producer.offer(2, message, 0, MAX_MESSAGE_LENGTH + 1));
    }

    /**
     * Claim a two-line record (it wraps from the last line), write its sequence, commit.
     */
    private static void send(final SpscRing ring, final long sequence)
    {
        final int offset = ring.tryClaim(3, BODY_LENGTH);
        assertTrue(offset > 0, "claim refused: " + offset);
        ring.buffer().putLong(offset, sequence);
        ring.commit(offset);
    }

    /**
     * Read until the head stops at the end of what was published, the head never past the stored tail.
     */
    private static void readWhatWasPublished(final Rig rig, final SpscRing consumer, final String at)
    {
        int polls = 0;
        do
        {
            rig.read(consumer);
            assertTrue(consumer.headPosition() <= consumer.tailPosition(), at + ": head " + consumer.headPosition() +
                " past the stored tail " + consumer.tailPosition());
        }
        while (++polls < PROMPT_POLLS && consumer.headPosition() != consumer.tailPosition());
        assertEquals(consumer.tailPosition(), consumer.headPosition(), at + ": the head stopped short of the tail");
    }

    /**
     * Offer and read one-line messages (their first word a sequence number) until the tail is on the ring's last
     * line, with everything read.
     *
     * @return messages sent.
     */
    private static long fillToTheLastLine(final Rig rig)
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
        long sent = 0;
        while (((int)rig.ring.tailPosition() & (CAPACITY - 1)) != CAPACITY - RecordDescriptor.ALIGNMENT)
        {
            message.putLong(0, sent);
            assertTrue(rig.ring.offer(1, message, 0, 8));
            sent++;
            assertEquals(1, rig.read(rig.ring));
        }
        assertEquals(rig.ring.tailPosition(), rig.header.getLongVolatile(TAIL_POSITION_OFFSET));
        return sent;
    }
}
