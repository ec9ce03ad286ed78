package io.conduit.ring;

import io.conduit.file.ChannelFileDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static io.conduit.file.ChannelFileDescriptor.SLOT_PID_OFFSET;
import static io.conduit.ring.MpscDeadClaimTest.DEAD_PID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An MPSC producer killed at every store of a claim that wraps (padding to the ring's end, then the record at 0), of
 * writing its body and of its commit, simulated by buffers that stop taking stores at the chosen one; with the bias
 * (plain stores, the tail tagged) and without (compare-and-sets). Wherever it dies, the consumer delivers every
 * message committed before, in order, once, and the dead one only if its commit was made; it never stores a head
 * past the tail; and a new producer (revoking the dead holder's bias, if it held one) and a restarted consumer attach
 * and carry the next message.
 */
class MpscKillTest
{
    private static final int CAPACITY = 4096;
    private static final int MAX_MESSAGE_LENGTH = 120;
    // short: a producer killed between winning the tail and recording its claim in its slot leaves a claim that only
    // the timeout finds (docs/LAYOUT.md, "Limits of the timeout skip"); a dead slot's claim is skipped at once
    private static final long STUCK_CLAIM_TIMEOUT_NS = 100_000_000L;
    private static final long READ_DEADLINE_NS = 10_000_000_000L;
    private static final int BODY_LENGTH = 72; // two lines: does not fit the last line, so it wraps
    private static final int FILLER_TYPE_ID = 1;
    private static final int DEAD_TYPE_ID = 2;
    private static final int NEXT_TYPE_ID = 3;

    /** One ring in memory: a header and a region sharing a store count. */
    private static final class Rig
    {
        final KillableBuffer.Stores stores = new KillableBuffer.Stores();
        final KillableBuffer header = stores.buffer(ChannelFileDescriptor.FILE_HEADER_LENGTH);
        final KillableBuffer region = stores.buffer(CAPACITY);
        final List<String> delivered = new ArrayList<>();
        final boolean bias;
        final MpscRing ring;

        Rig(final boolean bias)
        {
            this.bias = bias;
            ring = newRing();
        }

        MpscRing newRing()
        {
            final MpscRing ring = new MpscRing(header, region, MAX_MESSAGE_LENGTH, STUCK_CLAIM_TIMEOUT_NS, "kill");
            ring.biasAllowed = bias;
            return ring;
        }

        int read(final MpscRing consumer)
        {
            return consumer.read((typeId, buffer, offset, length) ->
                delivered.add(typeId + ":" + buffer.getLong(offset)), 100);
        }
    }

    @ParameterizedTest(name = "bias={0}")
    @ValueSource(booleans = {true, false})
    void shouldAttachAgainWhereverAProducerDiesInAClaimThatWrapsOrItsCommit(final boolean bias)
    {
        if (bias)
        {
            MpscBiasTest.needBias();
        }
        final int storesOfTheSend = storesOfAWrappingSend(bias);
        assertTrue(storesOfTheSend >= 4, "a wrapping send stores a claim, padding, a body and a commit: " +
            storesOfTheSend);
        for (int killAt = 1; killAt <= storesOfTheSend + 1; killAt++)
        {
            for (final boolean consumerFirst : new boolean[] {true, false})
            {
                killAndRestart(bias, killAt, storesOfTheSend, consumerFirst);
            }
        }
    }

    /**
     * @return how many stores a send that wraps makes (claim, body, commit), on a rig brought to the wrap point.
     */
    private static int storesOfAWrappingSend(final boolean bias)
    {
        final Rig rig = new Rig(bias);
        fillToTheLastLine(rig);
        assertEquals(bias, 0 != MpscBiasTest.tag(rig.header), "the lone producer holds the bias if allowed");
        rig.stores.arm(Integer.MAX_VALUE);
        send(rig.ring, DEAD_TYPE_ID, 0);
        final int stores = rig.stores.made();
        rig.stores.disarm();
        return stores;
    }

    private static void send(final MpscRing ring, final int typeId, final long sequence)
    {
        final int offset = ring.tryClaim(typeId, BODY_LENGTH);
        assertTrue(offset > 0, "claim refused: " + offset);
        ring.buffer().putLong(offset, sequence);
        ring.commit(offset);
    }

    private static void killAndRestart(
        final boolean bias, final int killAt, final int storesOfTheSend, final boolean consumerFirst)
    {
        final String at = "bias=" + bias + ", killed at store " + killAt +
            (consumerFirst ? ", consumer first" : ", producer first");
        final Rig rig = new Rig(bias);
        final long sent = fillToTheLastLine(rig);

        rig.stores.arm(killAt);
        boolean committed = true;
        try
        {
            send(rig.ring, DEAD_TYPE_ID, 0);
        }
        catch (final KillableBuffer.Killed ex)
        {
            committed = false;
        }
        rig.stores.disarm();
        // every store of the send passes through the killable buffer: the kill lands inside it, or after it
        assertEquals(killAt > storesOfTheSend, committed, at + ": the send completed");
        // the producer is dead: its slot's pid names no process (the consumer's role stays with this process)
        rig.header.putLongVolatile(ChannelFileDescriptor.producerSlotOffset(0) + SLOT_PID_OFFSET, DEAD_PID);

        final MpscRing consumer = rig.ring;
        if (consumerFirst)
        {
            // as far as it can: a claim that died before its slot recorded it, with nothing written after it, is
            // not known to end before the tail, and waits for the next message (docs/LAYOUT.md, "Limits of the
            // timeout skip"); never past the tail
            readFor(rig, consumer, 3 * STUCK_CLAIM_TIMEOUT_NS, at);
        }
        final MpscRing producer = rig.newRing();
        send(producer, NEXT_TYPE_ID, 1);
        readWhatWasPublished(rig, consumer, at);

        final List<String> expected = new ArrayList<>();
        for (long i = 0; i < sent; i++)
        {
            expected.add(FILLER_TYPE_ID + ":" + i);
        }
        final boolean deadDelivered = rig.delivered.contains(DEAD_TYPE_ID + ":0");
        if (deadDelivered)
        {
            expected.add(DEAD_TYPE_ID + ":0");
        }
        expected.add(NEXT_TYPE_ID + ":1");
        assertEquals(expected, rig.delivered, at + ": every committed message once, in order");
        if (committed)
        {
            assertTrue(deadDelivered, at + ": a commit made is delivered");
        }
        assertEquals(producer.tailPosition(), consumer.headPosition(), at);

        // a restarted consumer attaches too (the role is this process's; its attach checks head, tail and clean)
        final MpscRing restartedConsumer = rig.newRing();
        assertEquals(0, rig.read(restartedConsumer), at);
        send(producer, NEXT_TYPE_ID, 2);
        assertEquals(1, rig.read(restartedConsumer), at);
    }

    /**
     * Read for {@code durationNs}, the head never past the tail.
     */
    private static void readFor(final Rig rig, final MpscRing consumer, final long durationNs, final String at)
    {
        final long endNs = System.nanoTime() + durationNs;
        while (System.nanoTime() - endNs < 0)
        {
            rig.read(consumer);
            assertTrue(consumer.headPosition() <= consumer.tailPosition(), at + ": head " + consumer.headPosition() +
                " past the tail " + consumer.tailPosition());
        }
    }

    /**
     * Read until the head stops at the end of what was published, the head never past the tail.
     */
    private static void readWhatWasPublished(final Rig rig, final MpscRing consumer, final String at)
    {
        final long deadlineNs = System.nanoTime() + READ_DEADLINE_NS;
        do
        {
            if (0 == rig.read(consumer))
            {
                Thread.onSpinWait();
            }
            assertTrue(consumer.headPosition() <= consumer.tailPosition(), at + ": head " + consumer.headPosition() +
                " past the tail " + consumer.tailPosition());
        }
        while (System.nanoTime() - deadlineNs < 0 && consumer.headPosition() != consumer.tailPosition());
        assertEquals(consumer.tailPosition(), consumer.headPosition(), at + ": the head stopped short of the tail");
    }

    /**
     * Send and read one-line messages until the tail is on the ring's last line, with everything read, and (with the
     * bias allowed) the producer holding the bias, which a producer alone takes after {@link MpscRing#GRANT_INTERVAL}
     * claims.
     *
     * @return messages sent.
     */
    private static long fillToTheLastLine(final Rig rig)
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
        long sent = 0;
        while (((int)rig.ring.tailPosition() & (CAPACITY - 1)) != CAPACITY - RecordDescriptor.ALIGNMENT ||
            rig.bias != (0 != MpscBiasTest.tag(rig.header)))
        {
            assertTrue(sent < 4 * MpscRing.GRANT_INTERVAL, "no bias after " + sent + " claims");
            message.putLong(0, sent);
            assertTrue(rig.ring.offer(FILLER_TYPE_ID, message, 0, 8));
            sent++;
            assertEquals(1, rig.read(rig.ring));
        }
        rig.delivered.clear();
        for (long i = 0; i < sent; i++)
        {
            rig.delivered.add(FILLER_TYPE_ID + ":" + i);
        }
        return sent;
    }
}
