package io.conduit.ring;

import io.conduit.file.ChannelFile;
import io.conduit.file.ChannelFileDescriptor;
import io.conduit.file.ChannelOptions;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A claim whose producer is alive but never commits is skipped once the stuck claim timeout has passed, and not
 * before; the messages claimed after it are then delivered. In-process: the claimer's pid is this JVM's, so it is
 * alive throughout and only the timeout can explain the skip.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StuckClaimTest
{
    static final long TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(200);
    static final int LATER_MESSAGES = 10;

    @TempDir
    Path dir;

    /**
     * SPSC: the one producer may hold several claims at once, so it claims, leaves that claim, and goes on.
     */
    @Test
    void shouldSkipLiveSpscProducersStuckClaimOnlyAfterTimeout() throws Exception
    {
        try (ChannelFile file = ChannelFile.create(dir, "spsc", options(RingKind.SPSC, 64 * 1024)))
        {
            final AbstractRing ring = (AbstractRing)file.ring();
            final long claimedNs = System.nanoTime();
            final int stuck = claimWithoutCommit(ring, 1, 0);
            send(ring, new SequencedMessage(), 1, 1, LATER_MESSAGES);

            final Receiver receiver = new Receiver(false);
            final long firstDeliveryNs = readLaterMessages(ring, receiver, 1);

            assertTrue(firstDeliveryNs - claimedNs >= TIMEOUT_NS, "delivered after " +
                TimeUnit.NANOSECONDS.toMillis(firstDeliveryNs - claimedNs) + " ms, before the timeout");
            assertEquals(1, receiver.first[1], "the stuck message is not delivered: " + receiver);
            assertEquals(1 + LATER_MESSAGES, receiver.next[1], receiver::toString);
            assertEquals(1, ring.recordsSkipped());
            final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> ring.commit(stuck),
                "a skipped claim that is not the latest cannot be committed");
            assertTrue(ex.getMessage().contains("the consumer skipped it"), ex.getMessage());
            assertNotDeliveredOverALap(ring, receiver, 1, 1 + LATER_MESSAGES);
        }
    }

    /**
     * SPSC, the consumer loop docs/WAITING.md shows: an idle strategy sleeping on {@code isHeadWritten} (20 ms
     * sleeps), one read per wake-up. The producer's latest claim, unmarked (header 0, tail past it), of a live
     * producer that never commits is skipped no earlier than the timeout, and within a few wake-ups after it, not
     * after 1,024 reads a sleep apart (docs/RINGS.md, "Stuck claims").
     */
    @Test
    void shouldSkipALiveSpscProducersLatestClaimWithinAFewWakeUpsOfAConsumerSleepingAfterTheTimeout() throws Exception
    {
        try (ChannelFile file = ChannelFile.create(dir, "sleeper", options(RingKind.SPSC, 64 * 1024)))
        {
            final AbstractRing ring = (AbstractRing)file.ring();
            final AtomicBuffer header = file.headerBuffer();
            final io.conduit.wait.FutexWaiter dataWaiter = new io.conduit.wait.FutexWaiter(header,
                ChannelFileDescriptor.DATA_FUTEX_WORD_OFFSET, ChannelFileDescriptor.DATA_WAITERS_OFFSET);
            final org.agrona.concurrent.IdleStrategy idle = io.conduit.wait.IdleStrategies.newIdleStrategy(
                "hybrid:spins=0,yields=0,maxSleepNs=20000000", dataWaiter, ring::isHeadWritten);
            final long claimedNs = System.nanoTime();
            claimWithoutCommit(ring, 1, 0);
            int wakeUps = 0;
            while (0 == ring.recordsSkipped() && wakeUps < 200)
            {
                idle.idle(ring.read((typeId, buffer, offset, length) -> fail("no message was committed"), 10));
                wakeUps++;
            }
            final long skippedNs = System.nanoTime();

            assertEquals(1, ring.recordsSkipped(), "not skipped in " + wakeUps + " wake-ups");
            assertTrue(skippedNs - claimedNs >= TIMEOUT_NS, "skipped after " +
                TimeUnit.NANOSECONDS.toMillis(skippedNs - claimedNs) + " ms, before the timeout");
            // 20 ms sleeps: the timeout takes at most 10 of them, the clock may start one late and decide one later
            final long expectedWakeUps = TIMEOUT_NS / TimeUnit.MILLISECONDS.toNanos(20) + 3;
            assertTrue(wakeUps <= expectedWakeUps, "skipped after " + wakeUps + " wake-ups, expected at most " +
                expectedWakeUps);
            // the skip turned the claim into padding, which the next read passes
            assertEquals(0, ring.read((typeId, buffer, offset, length) -> fail("no message was committed"), 10));
            assertEquals(ring.tailPosition(), ring.headPosition());
        }
    }

    /**
     * MPSC: one thread claims and never commits; another ring instance on the same file sends after it.
     */
    @Test
    void shouldSkipLiveMpscProducersStuckClaimOnlyAfterTimeoutAndRefuseItsLateCommit() throws Exception
    {
        try (ChannelFile file = ChannelFile.create(dir, "mpsc", options(RingKind.MPSC, 64 * 1024));
            ChannelFile other = ChannelFile.open(dir, "mpsc"))
        {
            final AbstractRing ring = (AbstractRing)file.ring();
            final long claimedNs = System.nanoTime();
            final int stuck = claimWithoutCommit(ring, 1, 0);
            final Thread sender = new Thread(() -> send(other.ring(), new SequencedMessage(), 2, 0, LATER_MESSAGES));
            sender.start();
            sender.join(10_000);

            final Receiver receiver = new Receiver(true);
            final long firstDeliveryNs = readLaterMessages(ring, receiver, 2);

            assertTrue(firstDeliveryNs - claimedNs >= TIMEOUT_NS, "delivered after " +
                TimeUnit.NANOSECONDS.toMillis(firstDeliveryNs - claimedNs) + " ms, before the timeout");
            assertEquals(0, receiver.next[1], "the stuck message is not delivered: " + receiver);
            assertEquals(LATER_MESSAGES, receiver.next[2], receiver::toString);
            assertEquals(1, ring.recordsSkipped());

            final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> ring.commit(stuck),
                "MpscRing.commit documents IllegalStateException for a claim the consumer skipped");
            assertTrue(ex.getMessage().contains("skipped"), ex.getMessage());
            assertNotDeliveredOverALap(ring, receiver, 2, LATER_MESSAGES);
        }
    }

    /**
     * Claim a message and write only part of its body, as a producer thread that then stalls would leave it.
     *
     * @return the claim's offset.
     */
    private static int claimWithoutCommit(final Ring ring, final int producerId, final long sequence)
    {
        final int offset = ring.tryClaim(SequencedMessage.TYPE_ID, SequencedMessage.bodyLength(producerId, sequence));
        assertTrue(offset > 0);
        SequencedMessage.encodePartially(ring.buffer(), offset, producerId, sequence);
        return offset;
    }

    /**
     * The ring goes on whole after the refused commit: over a whole lap more of one producer's messages, sent and
     * read in turns, the reader sees exactly those, in order (the receiver flags any other sequence). The refusal
     * itself is what keeps the skipped message out (the exception checked before this): a header stored at the
     * skipped line, behind the head, would be cleared before the lap came round to it.
     */
    private static void assertNotDeliveredOverALap(
        final Ring ring, final Receiver receiver, final int producerId, final long first)
    {
        final int lap = ring.capacity() / RecordDescriptor.ALIGNMENT + 64;
        final SequencedMessage message = new SequencedMessage();
        for (long sequence = first; sequence < first + lap; sequence += 64)
        {
            send(ring, message, producerId, sequence, 64);
            while (ring.read(receiver, Receiver.BATCH_LIMIT) > 0)
            {
                assertNull(receiver.error, receiver.error);
            }
        }
        assertNull(receiver.error, receiver.error);
        assertEquals(first + (lap + 63) / 64 * 64, receiver.next[producerId], receiver::toString);
        assertEquals(0, ring.size());
    }

    private static void send(
        final Ring ring, final SequencedMessage message, final int producerId, final long first, final int count)
    {
        final AtomicBuffer buffer = ring.buffer();
        for (long sequence = first; sequence < first + count; sequence++)
        {
            final int offset =
                ring.tryClaim(SequencedMessage.TYPE_ID, SequencedMessage.bodyLength(producerId, sequence));
            assertTrue(offset > 0, "space for sequence " + sequence);
            message.encode(buffer, offset, producerId, sequence);
            ring.commit(offset);
        }
    }

    /**
     * @return when the first of the later messages was delivered.
     */
    private static long readLaterMessages(final Ring ring, final Receiver receiver, final int producerId)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long firstDeliveryNs = 0;
        while (receiver.received < LATER_MESSAGES)
        {
            final int count = ring.read(receiver, Receiver.BATCH_LIMIT);
            assertNull(receiver.error);
            if (count > 0 && 0 == firstDeliveryNs)
            {
                firstDeliveryNs = System.nanoTime();
            }
            assertTrue(System.nanoTime() < deadlineNs, "later messages not delivered within 10 s: " + receiver +
                " producerId=" + producerId);
        }
        return firstDeliveryNs;
    }

    private static ChannelOptions options(final RingKind kind, final int capacity)
    {
        return ChannelOptions.defaults().kind(kind).capacity(capacity).stuckClaimTimeoutNs(TIMEOUT_NS);
    }
}
