package io.conduit.ring;

import io.conduit.CorruptChannelException;
import io.conduit.file.ChannelFile;
import io.conduit.file.ChannelOptions;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static io.conduit.file.ChannelFileDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A damaged header position is refused with an exception naming the field and the file, never read past: the
 * positions of a closed channel file are overwritten, the file is opened afresh, and the first read must fail.
 */
class RingPositionCheckTest
{
    static final String NAME = "positions";
    static final int CAPACITY = 4096;
    static final int MESSAGES = 3;
    static final int BODY_LENGTH = 16;
    /** Records start on cache lines: a 24-byte record takes a whole line. */
    static final int RECORD_LENGTH = RecordDescriptor.ALIGNMENT;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void shouldRefuseHeadPastTail(final RingKind kind) throws Exception
    {
        final long tail = createWithMessages(kind);
        putLong(HEAD_POSITION_OFFSET, tail + RecordDescriptor.ALIGNMENT);
        final String message = assertReadRefused();
        assertTrue(message.contains("tailPosition=" + tail), message);
        assertTrue(message.contains("headPosition=" + (tail + RecordDescriptor.ALIGNMENT)), message);
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void shouldRefuseTailMoreThanCapacityAheadOfHead(final RingKind kind) throws Exception
    {
        createWithMessages(kind);
        putLong(TAIL_POSITION_OFFSET, CAPACITY + RecordDescriptor.ALIGNMENT);
        final String message = assertReadRefused();
        assertTrue(message.contains("tailPosition - headPosition=" + (CAPACITY + RecordDescriptor.ALIGNMENT)),
            message);
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void shouldRefuseMisalignedHead(final RingKind kind) throws Exception
    {
        createWithMessages(kind);
        // 32 was a record boundary in layout version 1 (8-byte alignment), not in version 2 (64-byte)
        putLong(HEAD_POSITION_OFFSET, 32);
        final String message = assertReadRefused();
        assertTrue(message.contains("headPosition=32"), message);
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void shouldRefuseNegativeHead(final RingKind kind) throws Exception
    {
        createWithMessages(kind);
        putLong(HEAD_POSITION_OFFSET, -RecordDescriptor.ALIGNMENT);
        final String message = assertReadRefused();
        assertTrue(message.contains("headPosition=" + -RecordDescriptor.ALIGNMENT), message);
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void shouldRefuseMisalignedTail(final RingKind kind) throws Exception
    {
        final long tail = createWithMessages(kind);
        if (RingKind.SPSC == kind)
        {
            putLong(TAIL_POSITION_OFFSET, tail + 4);
            final String message = assertReadRefused();
            assertTrue(message.contains("tailPosition=" + (tail + 4)), message);
        }
        else
        {
            // an MPSC tail word's low 6 bits are a bias tag (ChannelFileDescriptor.TAIL_TAG_MASK); 32 is none
            putLong(TAIL_POSITION_OFFSET, tail + BIASED_TAG_LIMIT);
            final String message = assertReadRefused();
            assertTrue(message.contains("tailPosition bias tag=" + BIASED_TAG_LIMIT), message);
        }
    }

    @Test
    void shouldRefuseSpscProducerAttachToHeadPastTail() throws Exception
    {
        final long tail = createWithMessages(RingKind.SPSC);
        putLong(HEAD_POSITION_OFFSET, tail + RecordDescriptor.ALIGNMENT);
        try (ChannelFile file = ChannelFile.open(dir, NAME))
        {
            final CorruptChannelException ex =
                assertThrows(CorruptChannelException.class, () -> file.ring().tryClaim(1, BODY_LENGTH));
            assertTrue(ex.getMessage().contains("tailPosition"), ex.getMessage());
            assertTrue(ex.getMessage().contains(file.path().toString()), ex.getMessage());
        }
    }

    @Test
    void shouldRefuseMpscCleanPositionPastHead() throws Exception
    {
        createWithMessages(RingKind.MPSC);
        putLong(HEAD_POSITION_OFFSET, RECORD_LENGTH);
        putLong(CLEAN_POSITION_OFFSET, 2 * RECORD_LENGTH);
        final String message = assertReadRefused();
        assertTrue(message.contains("cleanPosition=" + 2 * RECORD_LENGTH), message);
    }

    @Test
    void shouldRefuseMisalignedMpscCleanPosition() throws Exception
    {
        createWithMessages(RingKind.MPSC);
        putLong(HEAD_POSITION_OFFSET, RECORD_LENGTH);
        putLong(CLEAN_POSITION_OFFSET, 4);
        final String message = assertReadRefused();
        assertTrue(message.contains("cleanPosition=4"), message);
    }

    @Test
    void shouldRefuseMpscCleanPositionMoreThanCapacityBehindHead() throws Exception
    {
        createWithMessages(RingKind.MPSC);
        putLong(HEAD_POSITION_OFFSET, 2 * CAPACITY);
        putLong(TAIL_POSITION_OFFSET, 2 * CAPACITY);
        final String message = assertReadRefused();
        assertTrue(message.contains("cleanPosition=0"), message);
    }

    /**
     * A clean position within a capacity of the head but more than a capacity behind the tail: producers never claim
     * so far ahead of it, and cleaning up to the head from it would zero the unread records and live claims after
     * the head. Refused, where it was accepted and the records lost.
     */
    @Test
    void shouldRefuseMpscCleanPositionMoreThanCapacityBehindTail() throws Exception
    {
        createWithMessages(RingKind.MPSC);
        putLong(HEAD_POSITION_OFFSET, CAPACITY);
        putLong(TAIL_POSITION_OFFSET, CAPACITY + 2 * RECORD_LENGTH);
        putLong(CLEAN_POSITION_OFFSET, 0);
        final String message = assertReadRefused();
        assertTrue(message.contains("cleanPosition=0") && message.contains("tailPosition=" + (CAPACITY + 2 *
            RECORD_LENGTH)), message);
    }

    /**
     * A refused file stays refused: a consumer that catches the exception and polls again must not go on reading
     * (and zeroing) with the bad clean position, nor rewrite it.
     */
    @Test
    void shouldKeepRefusingCorruptMpscCleanPositionOnEveryRead() throws Exception
    {
        createWithMessages(RingKind.MPSC);
        putLong(HEAD_POSITION_OFFSET, RECORD_LENGTH);
        putLong(CLEAN_POSITION_OFFSET, 2 * RECORD_LENGTH);
        try (ChannelFile file = ChannelFile.open(dir, NAME))
        {
            final Ring ring = file.ring();
            final int[] delivered = {0};
            assertThrows(CorruptChannelException.class, () -> ring.read((t, b, o, l) -> delivered[0]++, 10));
            assertEquals(0, file.headerBuffer().getLongVolatile(CONSUMER_PID_OFFSET),
                "a refused consumer holds no role, even before the file is closed");
            assertThrows(CorruptChannelException.class, () -> ring.read((t, b, o, l) -> delivered[0]++, 10),
                "second read");
            assertEquals(0, delivered[0]);
            assertEquals(2 * RECORD_LENGTH, file.headerBuffer().getLongVolatile(CLEAN_POSITION_OFFSET),
                "the bad field is left as found");
        }
    }

    /**
     * A refused consumer must not keep the consumer role: once it closes the file, another process may attach.
     */
    @ParameterizedTest
    @EnumSource(RingKind.class)
    void shouldReleaseConsumerRoleOnCloseAfterRefusedAttach(final RingKind kind) throws Exception
    {
        final long tail = createWithMessages(kind);
        putLong(HEAD_POSITION_OFFSET, tail + RecordDescriptor.ALIGNMENT);
        assertReadRefused();
        assertEquals(0, getLong(CONSUMER_PID_OFFSET), "consumer pid left in the header after close");
    }

    /**
     * @return the tail after sending.
     */
    private long createWithMessages(final RingKind kind) throws IOException
    {
        try (ChannelFile file = ChannelFile.create(dir, NAME, ChannelOptions.defaults().kind(kind).capacity(CAPACITY)))
        {
            final Ring ring = file.ring();
            final UnsafeBuffer body = new UnsafeBuffer(new byte[BODY_LENGTH]);
            for (int i = 0; i < MESSAGES; i++)
            {
                body.putLong(0, i);
                assertTrue(ring.offer(1, body, 0, BODY_LENGTH));
            }
            assertEquals(MESSAGES * RECORD_LENGTH, ring.tailPosition());
            return ring.tailPosition();
        }
    }

    /**
     * Open the file afresh and read: must throw, deliver nothing, and name the file.
     *
     * @return the exception's message.
     */
    private String assertReadRefused() throws IOException
    {
        try (ChannelFile file = ChannelFile.open(dir, NAME))
        {
            final int[] delivered = {0};
            final CorruptChannelException ex = assertThrows(CorruptChannelException.class,
                () -> file.ring().read((t, b, o, l) -> delivered[0]++, 10));
            assertEquals(0, delivered[0], "nothing delivered from a refused file");
            assertTrue(ex.getMessage().contains(file.path().toString()), ex.getMessage());
            return ex.getMessage();
        }
    }

    private void putLong(final int offset, final long value) throws IOException
    {
        try (FileChannel channel = FileChannel.open(ChannelFile.pathOf(dir, NAME), StandardOpenOption.WRITE))
        {
            final ByteBuffer bytes = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.nativeOrder());
            bytes.putLong(0, value);
            assertEquals(Long.BYTES, channel.write(bytes, offset));
        }
    }

    private long getLong(final int offset) throws IOException
    {
        try (FileChannel channel = FileChannel.open(ChannelFile.pathOf(dir, NAME), StandardOpenOption.READ))
        {
            final ByteBuffer bytes = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.nativeOrder());
            assertEquals(Long.BYTES, channel.read(bytes, offset));
            return bytes.getLong(0);
        }
    }
}
