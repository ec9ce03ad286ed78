package io.conduit.ring;

import io.conduit.file.ChannelFileDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;

import static io.conduit.file.ChannelFileDescriptor.CONSUMER_PID_OFFSET;
import static io.conduit.ring.MpscDeadClaimTest.DEAD_PID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A consumer killed at every store of a read (its head, its counters and, on MPSC, the clearing of consumed lines and
 * the clean position), simulated by buffers that stop taking stores at the chosen one. The README promises that a
 * restarted consumer resumes at the stored head, re-delivering at most the interrupted batch, and never finds a
 * corrupted ring: here the restarted consumer delivers the rest in order, the messages delivered twice are the last
 * ones the dead consumer delivered, all of the interrupted batch, and the producer and the new consumer carry two
 * more laps of messages after it.
 */
class ConsumerKillTest
{
    private static final int CAPACITY = 4096;
    private static final int MAX_MESSAGE_LENGTH = 120;
    private static final long STUCK_CLAIM_TIMEOUT_NS = 60_000_000_000L;
    private static final int BATCH = 20;
    private static final int TYPE_ID = 1;

    /** One ring in memory: a header and a region sharing a store count. */
    private static final class Rig
    {
        final KillableBuffer.Stores stores = new KillableBuffer.Stores();
        final KillableBuffer header = stores.buffer(ChannelFileDescriptor.FILE_HEADER_LENGTH);
        final KillableBuffer region = stores.buffer(CAPACITY);
        final RingKind kind;
        final AbstractRing producer;
        final List<Long> delivered = new ArrayList<>();
        final UnsafeBuffer message = new UnsafeBuffer(new byte[16]);
        long sent;

        Rig(final RingKind kind)
        {
            this.kind = kind;
            producer = newRing();
        }

        AbstractRing newRing()
        {
            return RingKind.SPSC == kind ?
                new SpscRing(header, region, MAX_MESSAGE_LENGTH, STUCK_CLAIM_TIMEOUT_NS, "consumer-kill") :
                new MpscRing(header, region, MAX_MESSAGE_LENGTH, STUCK_CLAIM_TIMEOUT_NS, "consumer-kill");
        }

        /** Offer one message of one or two lines (every seventh is two), its first word its sequence. */
        boolean offer()
        {
            final int length = 0 == sent % 7 ? 72 : 16;
            final UnsafeBuffer source = 72 == length ? new UnsafeBuffer(new byte[72]) : message;
            source.putLong(0, sent);
            source.putLong(8, ~sent);
            if (producer.offer(TYPE_ID, source, 0, length))
            {
                sent++;
                return true;
            }
            return false;
        }

        int read(final AbstractRing consumer, final int limit)
        {
            return consumer.read((typeId, buffer, offset, length) ->
            {
                assertEquals(~buffer.getLong(offset), buffer.getLong(offset + 8), "checksum");
                delivered.add(buffer.getLong(offset));
            }, limit);
        }
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void shouldResumeAtTheStoredHeadWhereverTheConsumerDies(final RingKind kind)
    {
        final int storesOfARead = storesOfARead(kind);
        assertTrue(storesOfARead >= 3, "a read stores at least its head and two counters: " + storesOfARead);
        for (int killAt = 1; killAt <= storesOfARead + 1; killAt++)
        {
            killAndRestart(kind, killAt);
        }
    }

    /**
     * @return the most stores a read of {@link #BATCH} makes, over the positions the kill tests use.
     */
    private static int storesOfARead(final RingKind kind)
    {
        int most = 0;
        for (int lapOffset = 0; lapOffset < 3; lapOffset++)
        {
            final Rig rig = prepare(kind, lapOffset);
            rig.stores.arm(Integer.MAX_VALUE);
            assertEquals(BATCH, rig.read(rig.producer, BATCH));
            most = Math.max(most, rig.stores.made());
            rig.stores.disarm();
        }
        return most;
    }

    /**
     * A rig whose producer, which is also the consumer, has sent some laps, the consumer a little behind.
     */
    private static Rig prepare(final RingKind kind, final int lapOffset)
    {
        final Rig rig = new Rig(kind);
        // move both on by most of a lap or two, so the batch below crosses the wrap point in some runs
        final int warm = 40 + 25 * lapOffset;
        for (int i = 0; i < warm; i++)
        {
            assertTrue(rig.offer());
            assertEquals(1, rig.read(rig.producer, 1));
        }
        for (int i = 0; i < BATCH + 5; i++)
        {
            assertTrue(rig.offer(), "room for the batch");
        }
        rig.delivered.clear();
        return rig;
    }

    private static void killAndRestart(final RingKind kind, final int killAt)
    {
        for (int lapOffset = 0; lapOffset < 3; lapOffset++)
        {
            final String at = kind + ", killed at store " + killAt + ", lap offset " + lapOffset;
            final Rig rig = prepare(kind, lapOffset);
            final long firstOfBatch = rig.sent - BATCH - 5;
            final long headBefore = rig.producer.headPosition();

            rig.stores.arm(killAt);
            try
            {
                rig.read(rig.producer, BATCH);
            }
            catch (final KillableBuffer.Killed ignore)
            {
                // the consumer died here
            }
            rig.stores.disarm();
            final List<Long> beforeDeath = new ArrayList<>(rig.delivered);
            rig.delivered.clear();
            rig.header.putLongVolatile(CONSUMER_PID_OFFSET, DEAD_PID);

            final AbstractRing consumer = rig.newRing();
            final long headAtRestart = consumer.headPosition();
            // the stored head is the dead one's last store: no further back than before the read, no further on than
            // its batch (at most BATCH records of two lines each, and one wrap padding of less than a record)
            assertTrue(headAtRestart >= headBefore &&
                headAtRestart <= headBefore + (BATCH + 1) * 2L * RecordDescriptor.ALIGNMENT,
                at + ": head " + headBefore + " before the read, " + headAtRestart + " at the restart");
            while (rig.read(consumer, 100) > 0)
            {
                continue;
            }

            // the restarted consumer resumes where the stored head says: the messages delivered twice are the last
            // ones the dead one delivered, and without them the two deliver every message sent, in order, once
            final int redelivered = beforeDeath.size() - (int)(rig.sent - firstOfBatch - rig.delivered.size());
            assertTrue(redelivered >= 0 && redelivered <= beforeDeath.size(), at + ": redelivered " + redelivered);
            final List<Long> once = new ArrayList<>(beforeDeath.subList(0, beforeDeath.size() - redelivered));
            once.addAll(rig.delivered);
            final List<Long> expected = new ArrayList<>();
            for (long s = firstOfBatch; s < rig.sent; s++)
            {
                expected.add(s);
            }
            assertEquals(expected, once, at + ": before death " + beforeDeath + ", after " + rig.delivered);
            assertEquals(beforeDeath.subList(beforeDeath.size() - redelivered, beforeDeath.size()),
                rig.delivered.subList(0, redelivered), at + ": the messages delivered again are the batch's last");
            assertTrue(redelivered <= BATCH, at);

            // and the ring goes on: two more laps through the new consumer
            rig.delivered.clear();
            final long from = rig.sent;
            for (int i = 0; i < 2 * CAPACITY / 64; i++)
            {
                assertTrue(rig.offer(), at + ": offer " + i + " after the restart");
                assertEquals(1, rig.read(consumer, 10), at);
            }
            final List<Long> after = new ArrayList<>();
            for (long s = from; s < rig.sent; s++)
            {
                after.add(s);
            }
            assertEquals(after, rig.delivered, at + ": after the restart");
        }
    }
}
