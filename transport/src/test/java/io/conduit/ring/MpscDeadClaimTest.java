package io.conduit.ring;

import io.conduit.ControlledMessageHandler;
import io.conduit.MessageHandler;
import io.conduit.file.ChannelFile;
import io.conduit.file.ChannelOptions;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static io.conduit.file.ChannelFileDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A dead MPSC producer's claim, laid out in the file as a producer killed at two different instants leaves it: after
 * winning the tail but before writing its mark (unmarked), or after the mark (marked). Either way the claimer's slot
 * names a dead pid, so the consumer must skip the claim at once, in a number of polls that does not depend on where
 * the producer died. Counting polls rather than time keeps the test exact: a consumer that sleeps between empty polls
 * (any back-off or futex idle strategy) turns every poll into up to a sleep.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MpscDeadClaimTest
{
    /** Above PID_MAX_LIMIT (2^22) on Linux: never a live process. */
    static final long DEAD_PID = Integer.MAX_VALUE;
    static final int BODY_LENGTH = 24;
    static final int LATER_MESSAGES = 10;
    /** A marked dead claim is skipped at the second stuck check, after at most this many polls. */
    static final int PROMPT_POLLS = 4 * (AbstractRing.STUCK_CHECK_MASK + 1);
    static final int MAX_POLLS = 1 << 22;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "marked={0} controlledRead={1} pid reused={2}")
    @CsvSource({"true, false, false", "false, false, false", "true, true, false", "false, true, false",
        "true, false, true", "false, true, true"})
    void shouldSkipDeadProducersClaimPromptlyWhereverItDied(
        final boolean marked, final boolean controlled, final boolean reused) throws Exception
    {
        // reused: the slot names a pid that a live process has now, with the dead producer's start stamp
        final long deadWord = reused ? ProcessIdentityTest.reusedPid() : DEAD_PID;
        try (ChannelFile file = ChannelFile.create(dir, "dead", ChannelOptions.defaults()
            .kind(RingKind.MPSC).capacity(64 * 1024).stuckClaimTimeoutNs(TimeUnit.SECONDS.toNanos(60))))
        {
            final MpscRing ring = (MpscRing)file.ring();
            final AtomicBuffer header = file.headerBuffer();
            layDeadClaimThenMessages(ring, header, marked, deadWord);

            final int[] delivered = {0};
            final MessageHandler handler = (typeId, buffer, offset, length) ->
            {
                assertEquals(delivered[0], buffer.getInt(offset));
                delivered[0]++;
            };
            int polls = 0;
            final ControlledMessageHandler controlledHandler = (typeId, buffer, offset, length) ->
            {
                handler.onMessage(typeId, buffer, offset, length);
                return ControlledMessageHandler.Action.CONTINUE;
            };
            while (delivered[0] < LATER_MESSAGES && polls < MAX_POLLS)
            {
                if (controlled)
                {
                    ring.controlledRead(controlledHandler, 100);
                }
                else
                {
                    ring.read(handler, 100);
                }
                polls++;
            }

            assertEquals(LATER_MESSAGES, delivered[0], "not skipped within " + MAX_POLLS + " polls");
            assertEquals(1, ring.recordsSkipped());
            assertTrue(polls <= PROMPT_POLLS, "the dead producer's " + (marked ? "marked" : "unmarked") +
                " claim was skipped after " + polls + " polls, expected at most " + PROMPT_POLLS);
        }
    }

    /**
     * The consumer loop docs/WAITING.md shows: an idle strategy that sleeps on {@code isHeadWritten}, one read per
     * wake-up. A claim at the head is not a message, so the consumer sleeps; the claim must still be checked at each
     * wake-up, not once per 1024 reads (which, a sleep apart, took many minutes), whether its mark is written or the
     * producer died before writing it (a header of 0 with the tail past it).
     */
    @ParameterizedTest(name = "marked={0}")
    @ValueSource(booleans = {true, false})
    void shouldSkipADeadClaimWithinAFewWakeUpsOfAConsumerSleepingOnIsHeadWritten(final boolean marked)
        throws Exception
    {
        try (ChannelFile file = ChannelFile.create(dir, "sleeper", ChannelOptions.defaults()
            .kind(RingKind.MPSC).capacity(64 * 1024).stuckClaimTimeoutNs(TimeUnit.SECONDS.toNanos(60))))
        {
            final MpscRing ring = (MpscRing)file.ring();
            final AtomicBuffer header = file.headerBuffer();
            layDeadClaimThenMessages(ring, header, marked);
            final io.conduit.wait.FutexWaiter dataWaiter =
                new io.conduit.wait.FutexWaiter(header, DATA_FUTEX_WORD_OFFSET, DATA_WAITERS_OFFSET);
            final org.agrona.concurrent.IdleStrategy idle = io.conduit.wait.IdleStrategies.newIdleStrategy(
                "hybrid:spins=0,yields=0,maxSleepNs=20000000", dataWaiter, ring::isHeadWritten);
            final int[] delivered = {0};
            int wakeUps = 0;
            while (delivered[0] < LATER_MESSAGES && wakeUps < 50)
            {
                idle.idle(ring.read((typeId, buffer, offset, length) -> delivered[0]++, 100));
                wakeUps++;
            }
            assertEquals(LATER_MESSAGES, delivered[0], "the dead claim was not skipped in " + wakeUps + " wake-ups");
            assertEquals(1, ring.recordsSkipped());
            assertTrue(wakeUps <= 5, "skipped after " + wakeUps + " wake-ups");
        }
    }

    /**
     * The same, through the blocking calls, which sleep on a claim at the head: {@code Channel.receive} and
     * {@code ChannelSet.receive} check it at each wake-up (20 ms apart here), so the messages behind a dead claim,
     * marked or not, arrive in the first call. Were it checked once per 1024 reads, a sleep apart, the call would
     * time out first.
     */
    @ParameterizedTest(name = "set={0} marked={1}")
    @CsvSource({"false, true", "true, true", "false, false", "true, false"})
    void shouldSkipADeadClaimWithinOneBlockingReceive(final boolean set, final boolean marked) throws Exception
    {
        try (io.conduit.Channel channel = io.conduit.Channel.open(dir, "blocking", ChannelOptions.defaults()
            .kind(RingKind.MPSC).capacity(64 * 1024).stuckClaimTimeoutNs(TimeUnit.SECONDS.toNanos(60)), 0, 0,
            TimeUnit.MILLISECONDS.toNanos(20)))
        {
            layDeadClaimThenMessages((MpscRing)channel.ring(), channel.file().headerBuffer(), marked);
            final int[] delivered = {0};
            final MessageHandler handler = (typeId, buffer, offset, length) ->
            {
                assertEquals(delivered[0], buffer.getInt(offset));
                delivered[0]++;
            };
            final long timeoutNs = TimeUnit.SECONDS.toNanos(5);
            final int read = set ? new io.conduit.ChannelSet(channel).receive(handler, 100, timeoutNs) :
                channel.receive(handler, 100, timeoutNs);
            assertEquals(LATER_MESSAGES, read, "the dead claim was not skipped within one receive");
            assertEquals(1, ((MpscRing)channel.ring()).recordsSkipped());
        }
    }

    @ParameterizedTest(name = "marked={0}")
    @ValueSource(booleans = {true, false})
    void shouldCountADeadClaimAcrossTheWrapPointAsOneMessage(final boolean marked) throws Exception
    {
        final int capacity = 64 * 1024;
        try (ChannelFile file = ChannelFile.create(dir, "wrap", ChannelOptions.defaults()
            .kind(RingKind.MPSC).capacity(capacity).stuckClaimTimeoutNs(TimeUnit.SECONDS.toNanos(60))))
        {
            final MpscRing ring = (MpscRing)file.ring();
            final AtomicBuffer header = file.headerBuffer();
            final UnsafeBuffer body = new UnsafeBuffer(new byte[BODY_LENGTH]);
            final int[] delivered = {0};
            final MessageHandler handler = (typeId, buffer, offset, length) -> delivered[0]++;
            // up to the ring's last line, all consumed
            final int before = capacity / RecordDescriptor.ALIGNMENT - 1;
            for (int i = 0; i < before; i++)
            {
                assertTrue(ring.offer(1, body, 0, BODY_LENGTH));
                assertEquals(1, ring.read(handler, 10));
            }
            final long position = ring.tailPosition();
            assertEquals(capacity - RecordDescriptor.ALIGNMENT, position);

            // a dead producer's claim of a two-line record: one line of wrap padding, then the record at offset 0
            final int frameLength = 100;
            final long claimLength = RecordDescriptor.ALIGNMENT + RecordDescriptor.alignedLength(frameLength);
            setSlot(header, MAX_PRODUCERS - 1, DEAD_PID, slotClaim(position, claimLength));
            assertTrue(ring.revokeBias(true), "a producer claiming with a compare-and-set revokes the bias first");
            assertTrue(header.compareAndSetLong(TAIL_POSITION_OFFSET, position, position + claimLength));
            if (marked)
            {
                // wrap padding unwritten
                ring.buffer().putLongVolatile(0, RecordDescriptor.makeHeader(-frameLength, 5));
            }
            for (int i = 0; i < LATER_MESSAGES; i++)
            {
                assertTrue(ring.offer(1, body, 0, BODY_LENGTH));
            }

            delivered[0] = 0;
            int polls = 0;
            while (delivered[0] < LATER_MESSAGES && polls < MAX_POLLS)
            {
                ring.read(handler, 100);
                polls++;
            }
            assertEquals(LATER_MESSAGES, delivered[0], "not skipped within " + MAX_POLLS + " polls");
            assertEquals(1, ring.recordsSkipped(), "one dead claim, one message lost");
            assertTrue(polls <= 2 * PROMPT_POLLS, "skipped after " + polls + " polls");
        }
    }

    /**
     * Lay out, in an empty MPSC ring, a claim at position 0 of a dead producer registered in the last slot (marked or
     * not), then {@link #LATER_MESSAGES} messages of a live producer behind it, each body starting with its index.
     *
     * @param ring   the ring.
     * @param header its channel file header.
     * @param marked whether the dead producer wrote its mark before it died.
     */
    static void layDeadClaimThenMessages(final MpscRing ring, final AtomicBuffer header, final boolean marked)
    {
        layDeadClaimThenMessages(ring, header, marked, DEAD_PID);
    }

    /**
     * As {@link #layDeadClaimThenMessages(MpscRing, AtomicBuffer, boolean)}, the dead producer's slot naming it by
     * {@code deadWord} ({@link ProcessIdentity}).
     */
    static void layDeadClaimThenMessages(
        final MpscRing ring, final AtomicBuffer header, final boolean marked, final long deadWord)
    {
        final int frameLength = RecordDescriptor.HEADER_LENGTH + BODY_LENGTH;
        setSlot(header, MAX_PRODUCERS - 1, deadWord, slotClaim(0, RecordDescriptor.alignedLength(frameLength)));
        assertTrue(header.compareAndSetLong(TAIL_POSITION_OFFSET, 0, RecordDescriptor.alignedLength(frameLength)));
        if (marked)
        {
            ring.buffer().putLongVolatile(0, RecordDescriptor.makeHeader(-frameLength, 5));
        }

        final UnsafeBuffer body = new UnsafeBuffer(new byte[BODY_LENGTH]);
        for (int i = 0; i < LATER_MESSAGES; i++)
        {
            body.putInt(0, i);
            assertTrue(ring.offer(1, body, 0, BODY_LENGTH));
        }
    }

    /**
     * Fill a producer slot as a process that registered there and claimed would have left it.
     *
     * @param header the channel file header.
     * @param slot   the slot's index.
     * @param pid    the registered process.
     * @param claim  its claim word ({@code slotClaim}).
     */
    static void setSlot(final AtomicBuffer header, final int slot, final long pid, final long claim)
    {
        header.putLongVolatile(producerSlotOffset(slot) + SLOT_CLAIM_OFFSET, claim);
        header.putLongVolatile(producerSlotOffset(slot) + SLOT_PID_OFFSET, pid);
    }
}
