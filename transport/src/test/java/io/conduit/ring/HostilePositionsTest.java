package io.conduit.ring;

import io.conduit.CorruptChannelException;
import io.conduit.MessageHandler;
import io.conduit.file.ChannelFile;
import io.conduit.file.ChannelOptions;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static io.conduit.file.ChannelFileDescriptor.CLEAN_POSITION_OFFSET;
import static io.conduit.file.ChannelFileDescriptor.HEAD_CACHE_POSITION_OFFSET;
import static io.conduit.file.ChannelFileDescriptor.TAIL_POSITION_OFFSET;
import static io.conduit.ring.RecordDescriptor.ALIGNMENT;
import static io.conduit.ring.RecordDescriptor.HEADER_LENGTH;
import static io.conduit.ring.RecordDescriptor.PADDING_TYPE_ID;
import static io.conduit.ring.RecordDescriptor.makeHeader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Values in the file that no producer stores, met on the paths that skip a claim or recover one, where the read
 * path's own checks do not look: each is a {@link CorruptChannelException} naming the field, never a head carried
 * past the tail (records skipped unread, and bytes of an earlier lap read as messages later). Found by a read-only
 * review; each test failed before its check.
 */
class HostilePositionsTest
{
    static final int CAPACITY = 64 * 1024;
    static final int BODY_LENGTH = 16;
    /** Polls, a stuck check each, before giving up on the exception: the timeout is 1 ms, a poll 2 ms apart. */
    static final int POLLS = 200;

    @TempDir
    Path dir;

    /**
     * A claim's mark longer than the claim, reaching past the tail: once the claim is stuck (1 ms here), skipping it
     * as marked would store a head past the tail.
     */
    @ParameterizedTest
    @EnumSource(RingKind.class)
    void shouldRefuseToSkipAMarkedClaimThatReachesPastTheTail(final RingKind kind) throws Exception
    {
        try (ChannelFile file = create(kind))
        {
            final Ring ring = file.ring();
            sendAndRead(ring);
            final int claim = ring.tryClaim(1, BODY_LENGTH);
            assertTrue(claim > 0);
            final long head = ring.headPosition();
            final long tail = ring.tailPosition();
            assertEquals(head + ALIGNMENT, tail);
            file.ringBuffer().putLongVolatile(claim - HEADER_LENGTH, makeHeader(-1024, 5));

            final String message = assertStuckPollsRefused(ring);
            assertTrue(message.contains("claim end=" + (head + 1024)), message);
            assertTrue(message.contains("at most tailPosition=" + tail), message);
        }
    }

    /**
     * A tail four capacities ahead of the head of an empty ring: the header at the head is 0, so the stuck check takes
     * it for a claim never marked. SPSC refused it already; MPSC scanned and padded a capacity at a time, counting
     * a skipped message each time.
     */
    @ParameterizedTest
    @EnumSource(RingKind.class)
    void shouldRefuseATailMoreThanACapacityAheadWhenLookingForAnUnmarkedClaim(final RingKind kind) throws Exception
    {
        try (ChannelFile file = create(kind))
        {
            final Ring ring = file.ring();
            sendAndRead(ring);
            final long head = ring.headPosition();
            file.headerBuffer().putLongVolatile(TAIL_POSITION_OFFSET, head + 4L * CAPACITY);

            final String message = assertStuckPollsRefused(ring);
            assertTrue(message.contains("tailPosition - headPosition=" + 4L * CAPACITY) ||
                message.contains("(tail - head)"), message);
        }
    }

    /**
     * A record at the stored tail, which no producer wrote there: a restarted SPSC producer walking its predecessor's
     * claims must not take it, raising the tail over it and over the earlier lap's bytes it covers.
     */
    @Test
    void shouldRefuseARestartedProducerARecordPastTheStoredTail() throws Exception
    {
        final long tail;
        try (ChannelFile file = create(RingKind.SPSC))
        {
            sendAndRead(file.ring());
            tail = file.ring().tailPosition();
        }
        try (ChannelFile file = ChannelFile.open(dir, "hostile"))
        {
            file.ringBuffer().putLongVolatile((int)tail & (CAPACITY - 1), makeHeader(1000, 7));
            final Ring ring = file.ring();

            final CorruptChannelException ex =
                assertThrows(CorruptChannelException.class, () -> ring.tryClaim(1, BODY_LENGTH));
            assertTrue(ex.getMessage().contains("record end=" + (tail + 1024)), ex.getMessage());
            assertTrue(ex.getMessage().contains("at most tailPosition=" + tail), ex.getMessage());
            assertEquals(tail, ring.tailPosition(), "the tail moved");
        }
    }

    /**
     * What the check above lets through: wrap padding at the stored tail, to the ring's end, as an earlier build of
     * layout version 5 stored it before its tail. The restarted producer takes it and claims at the ring's start; the
     * consumer passes the padding and reads the new message.
     */
    @Test
    void shouldLetARestartedProducerTakeAnEarlierBuildsWrapPaddingAtTheTail() throws Exception
    {
        final long tail;
        try (ChannelFile file = create(RingKind.SPSC))
        {
            final Ring ring = file.ring();
            while (ring.tailPosition() != CAPACITY - 2 * ALIGNMENT)
            {
                sendAndRead(ring);
            }
            tail = ring.tailPosition();
        }
        try (ChannelFile file = ChannelFile.open(dir, "hostile"))
        {
            file.ringBuffer().putLongVolatile((int)tail, makeHeader(2 * ALIGNMENT, PADDING_TYPE_ID));
            final Ring ring = file.ring();
            final int claim = ring.tryClaim(1, BODY_LENGTH);
            assertEquals(HEADER_LENGTH, claim, "claimed at the ring's start");
            ring.buffer().putLong(claim, 42);
            ring.commit(claim);

            final List<Long> read = new ArrayList<>();
            assertEquals(1, ring.read((typeId, buffer, offset, length) -> read.add(buffer.getLong(offset)), 10));
            assertEquals(List.of(42L), read);
            assertEquals(CAPACITY + ALIGNMENT, ring.headPosition());
        }
    }

    /**
     * The producers' shared cache of the clean position, scribbled up to the tail of a full MPSC ring: a producer
     * claiming with a compare-and-set trusts it no further than the clean position it loaded and checked itself, so
     * the ring stays full, where before two more offers succeeded, the second over the first unread record.
     */
    @Test
    void shouldKeepAFullMpscRingFullWhenItsSharedCleanCacheIsScribbled() throws Exception
    {
        try (ChannelFile a = ChannelFile.create(dir, "cache", ChannelOptions.defaults().kind(RingKind.MPSC)
            .capacity(1024)); ChannelFile b = ChannelFile.open(dir, "cache"))
        {
            final Ring ringA = a.ring();
            final Ring ringB = b.ring();
            final UnsafeBuffer body = new UnsafeBuffer(new byte[56]);
            // B registers a producer slot first: from then on neither object takes the bias, and A claims shared
            body.putLong(0, 0);
            assertTrue(ringB.offer(1, body, 0, body.capacity()));
            int sent = 1;
            while (true)
            {
                body.putLong(0, sent);
                if (!ringA.offer(2, body, 0, body.capacity()))
                {
                    break;
                }
                sent++;
            }
            assertEquals(1024 / ALIGNMENT - 1, sent, "a full ring: every line but the one whose header stays 0");
            a.headerBuffer().putLongVolatile(HEAD_CACHE_POSITION_OFFSET, ringA.tailPosition());

            assertFalse(ringA.offer(2, body, 0, body.capacity()), "A claimed past the unread records");
            assertFalse(ringB.offer(1, body, 0, body.capacity()), "B claimed past the unread records");
            final List<Long> read = new ArrayList<>();
            assertEquals(sent, ringA.read((typeId, buffer, offset, length) -> read.add(buffer.getLong(offset)), 100));
            for (int i = 0; i < sent; i++)
            {
                assertEquals(i, read.get(i), "message " + i);
            }
        }
    }

    /**
     * Padding at the tail's line, which no producer stored there (an abort's or a skipped claim's padding covers a
     * claim the tail has passed), ending short of the ring's end but past the tail: passing it would carry the head
     * past the tail, out of reach of every message committed in between, and the consumer would then clean lines
     * producers are claiming. Both reads refuse it at once, naming the padding's end and the tail, and leave the head.
     */
    @ParameterizedTest(name = "{0} controlledRead={1}")
    @org.junit.jupiter.params.provider.CsvSource({"SPSC, false", "SPSC, true", "MPSC, false", "MPSC, true"})
    void shouldRefusePaddingThatEndsPastTheTail(final RingKind kind, final boolean controlled) throws Exception
    {
        try (ChannelFile file = create(kind))
        {
            final Ring ring = file.ring();
            sendAndRead(ring);
            final long tail = ring.tailPosition();
            assertEquals(tail, ring.headPosition());
            file.ringBuffer().putLongVolatile((int)tail & (CAPACITY - 1), makeHeader(2 * ALIGNMENT, PADDING_TYPE_ID));

            final CorruptChannelException ex = assertThrows(CorruptChannelException.class, () ->
            {
                if (controlled)
                {
                    ring.controlledRead((typeId, buffer, offset, length) ->
                        io.conduit.ControlledMessageHandler.Action.CONTINUE, 10);
                }
                else
                {
                    ring.read((typeId, buffer, offset, length) -> { }, 10);
                }
            });
            assertTrue(ex.getMessage().contains("padding end=" + (tail + 2 * ALIGNMENT)), ex.getMessage());
            assertTrue(ex.getMessage().contains("at most tailPosition=" + tail), ex.getMessage());
            assertEquals(tail, ring.headPosition(), "the head moved");
        }
    }

    /**
     * An MPSC clean position scribbled past the head, still at most the tail and aligned, so the clean checks of
     * before let it through: producers would claim up to a capacity past it, over records not read yet. A claim with
     * a compare-and-set that loads a new clean position checks it against the head and refuses it, naming both.
     */
    @Test
    void shouldRefuseAnMpscCleanPositionPastTheHead() throws Exception
    {
        try (ChannelFile file = create(RingKind.MPSC); ChannelFile other = ChannelFile.open(dir, "hostile"))
        {
            final Ring a = file.ring();
            final Ring b = other.ring();
            final UnsafeBuffer body = new UnsafeBuffer(new byte[BODY_LENGTH]);
            final int lines = CAPACITY / ALIGNMENT;
            for (int i = 0; i < lines - lines / 8; i++)
            {
                assertTrue(a.offer(1, body, 0, BODY_LENGTH));
            }
            while (a.read((typeId, buffer, offset, length) -> { }, 100) > 0)
            {
                // all read: the clean position follows the head, a granule behind at most
            }
            for (int i = 0; i < lines / 2; i++)
            {
                assertTrue(a.offer(1, body, 0, BODY_LENGTH)); // unread, from here on
            }
            final long head = a.headPosition();
            final long scribbled = head + 2 * ALIGNMENT;
            assertTrue(scribbled <= a.tailPosition());
            file.headerBuffer().putLongVolatile(CLEAN_POSITION_OFFSET, scribbled);

            final CorruptChannelException ex =
                assertThrows(CorruptChannelException.class, () -> b.offer(1, body, 0, BODY_LENGTH));
            assertTrue(ex.getMessage().contains("cleanPosition=" + scribbled), ex.getMessage());
            assertTrue(ex.getMessage().contains("at most headPosition=" + head), ex.getMessage());
        }
    }

    private ChannelFile create(final RingKind kind) throws Exception
    {
        return ChannelFile.create(dir, "hostile", ChannelOptions.defaults().kind(kind).capacity(CAPACITY)
            .stuckClaimTimeoutNs(TimeUnit.MILLISECONDS.toNanos(1)));
    }

    private static void sendAndRead(final Ring ring)
    {
        final UnsafeBuffer body = new UnsafeBuffer(new byte[BODY_LENGTH]);
        assertTrue(ring.offer(1, body, 0, BODY_LENGTH));
        assertEquals(1, ring.read((typeId, buffer, offset, length) -> { }, 10));
    }

    /**
     * Poll with stuck checks until the ring refuses the file, which it must; the head must not have moved, nor any
     * claim have been counted as skipped.
     *
     * @return the refusal's message.
     */
    private static String assertStuckPollsRefused(final Ring ring)
    {
        final long head = ring.headPosition();
        final CorruptChannelException ex = assertThrows(CorruptChannelException.class, () -> pollStuck(ring));
        assertEquals(head, ring.headPosition(), "the head moved");
        assertEquals(0, ((AbstractRing)ring).recordsSkipped());
        return ex.getMessage();
    }

    /**
     * Read with a stuck check at each poll, past the 1 ms timeout, until the ring throws or {@link #POLLS} pass.
     */
    private static void pollStuck(final Ring ring)
    {
        final MessageHandler handler = (typeId, buffer, offset, length) ->
        {
            throw new AssertionError("delivered type " + typeId + " length " + length);
        };
        for (int i = 0; i < POLLS; i++)
        {
            ((AbstractRing)ring).checkStuckOnNextRead();
            ring.read(handler, 10);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }
}
