package io.conduit.ring;

import io.conduit.ControlledMessageHandler;
import io.conduit.CorruptChannelException;
import io.conduit.file.ChannelFileDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class RingMemoryTest
{
    @Test
    void shouldAccessAPlainUnsafeBufferDirectlyAndAnyOtherThroughItsOwnMethods()
    {
        final UnsafeBuffer plain = new UnsafeBuffer(ByteBuffer.allocateDirect(128));
        final UnsafeBuffer subclass = new UnsafeBuffer(ByteBuffer.allocateDirect(128))
        {
        };

        assertSame(RingMemory.class, RingMemory.of(plain).getClass());
        assertSame(RingMemory.Delegating.class, RingMemory.of(subclass).getClass());
    }

    @Test
    void shouldReadAndWriteTheSameWordsAsTheBuffer()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(128));
        final RingMemory memory = RingMemory.of(buffer);

        memory.putLongRelease(64, 0x1122334455667788L);
        memory.putLong(8, -5);
        assertEquals(0x1122334455667788L, buffer.getLong(64));
        assertEquals(-5, memory.getLong(8));
        assertEquals(0, memory.getAndAddLong(16, 5));
        assertTrue(memory.compareAndSetLong(16, 5, 7));
        assertEquals(7, memory.getLongVolatile(16));
        assertEquals(7, buffer.getLong(16));
        buffer.putInt(32, 3);
        assertEquals(3, memory.getIntVolatile(32));
    }

    @Test
    void shouldCheckTheSourceRangeOfACopy()
    {
        final RingMemory memory = RingMemory.of(new UnsafeBuffer(ByteBuffer.allocateDirect(128)));
        final UnsafeBuffer source = new UnsafeBuffer(new byte[16]);
        source.putLong(8, 42);

        memory.putBytes(64, source, 8, 8);
        assertEquals(42, memory.getLong(64));
        assertThrows(IndexOutOfBoundsException.class, () -> memory.putBytes(64, source, 12, 8));
        assertThrows(IndexOutOfBoundsException.class, () -> memory.putBytes(64, source, -1, 8));
    }

    @Test
    void shouldRefuseARingWhoseOffsetsCouldNotBeProvenInRange()
    {
        final UnsafeBuffer header =
            new UnsafeBuffer(ByteBuffer.allocateDirect(ChannelFileDescriptor.FILE_HEADER_LENGTH));
        final UnsafeBuffer notPowerOfTwo = new UnsafeBuffer(ByteBuffer.allocateDirect(3 * 1024));
        final UnsafeBuffer ring = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
        final UnsafeBuffer shortHeader = new UnsafeBuffer(ByteBuffer.allocateDirect(64));

        final IllegalArgumentException capacity = assertThrows(IllegalArgumentException.class,
            () -> new SpscRing(header, notPowerOfTwo, 120, 1_000_000_000L, "bad-capacity"));
        assertTrue(capacity.getMessage().contains("capacity=3072"), capacity.getMessage());
        final IllegalArgumentException length = assertThrows(IllegalArgumentException.class,
            () -> new MpscRing(shortHeader, ring, 120, 1_000_000_000L, "short-header"));
        assertTrue(length.getMessage().contains("header length=64"), length.getMessage());
        // past the channel file's limit a claim could be refused for good, and near 2^31 its aligned length overflowed
        for (final int maxMessageLength : new int[]{-1, 4096 / 8 - 7, 4096 - 8, Integer.MAX_VALUE})
        {
            final IllegalArgumentException max = assertThrows(IllegalArgumentException.class,
                () -> new SpscRing(header, ring, maxMessageLength, 1_000_000_000L, "bad-max"));
            assertTrue(max.getMessage().contains("maxMessageLength=" + maxMessageLength) &&
                max.getMessage().contains("[0, 504]"), max.getMessage());
            assertThrows(IllegalArgumentException.class,
                () -> new MpscRing(header, ring, maxMessageLength, 1_000_000_000L, "bad-max"));
        }
        final IllegalArgumentException timeout = assertThrows(IllegalArgumentException.class,
            () -> new MpscRing(header, ring, 120, -1, "bad-timeout"));
        assertTrue(timeout.getMessage().contains("stuckClaimTimeoutNs=-1"), timeout.getMessage());
    }

    /**
     * The longest message a ring takes can always be sent once the ring is empty: through three laps of messages
     * all that long, across the wrap point and its padding, no claim is refused.
     */
    @ParameterizedTest
    @EnumSource(RingKind.class)
    void shouldTakeTheLongestMessageAtEveryOffset(final RingKind kind)
    {
        final int capacity = 4096;
        final int longest = capacity / 8 - RecordDescriptor.HEADER_LENGTH;
        final UnsafeBuffer header =
            new UnsafeBuffer(ByteBuffer.allocateDirect(ChannelFileDescriptor.FILE_HEADER_LENGTH));
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(capacity));
        final Ring ring = RingKind.SPSC == kind ? new SpscRing(header, buffer, longest, 1_000_000_000L, "longest") :
            new MpscRing(header, buffer, longest, 1_000_000_000L, "longest");
        final UnsafeBuffer body = new UnsafeBuffer(new byte[longest]);
        final int[] read = {0};
        // a short message first, so that the long ones start at every line offset the ring has, lap after lap
        assertTrue(ring.offer(1, body, 0, 1));
        assertEquals(1, ring.read((typeId, b, offset, length) -> read[0]++, 10));
        for (int i = 0; i < 3 * capacity / RecordDescriptor.alignedLength(longest + 8) + 1; i++)
        {
            body.putInt(0, i);
            assertTrue(ring.offer(1, body, 0, longest), "refused at message " + i + ", tail=" + ring.tailPosition());
            final int expected = i;
            assertEquals(1, ring.read((typeId, b, offset, length) ->
            {
                assertEquals(longest, length);
                assertEquals(expected, b.getInt(offset));
                read[0]++;
            }, 10));
        }
    }

    @Test
    void shouldRefuseACommitOrAbortOfAnOffsetBeforeTheRingWithOrWithoutAnOpenClaim()
    {
        final ByteBuffer file = ByteBuffer.allocateDirect(ChannelFileDescriptor.FILE_HEADER_LENGTH + 4096);
        final UnsafeBuffer header = new UnsafeBuffer(file, 0, ChannelFileDescriptor.FILE_HEADER_LENGTH);
        final UnsafeBuffer ring = new UnsafeBuffer(file, ChannelFileDescriptor.FILE_HEADER_LENGTH, 4096);
        final SpscRing spsc = new SpscRing(header, ring, 120, 1_000_000_000L, "before-the-ring");
        final int lastHeaderWord = ChannelFileDescriptor.FILE_HEADER_LENGTH - Long.BYTES;

        // no open claim: the "none" marker, -1, is what offset 7 gives as a record offset
        final int claim = spsc.tryClaim(5, 8);
        spsc.commit(claim);
        assertThrows(IllegalArgumentException.class, () -> spsc.commit(7));
        assertThrows(IllegalArgumentException.class, () -> spsc.abort(7));
        // an open claim
        final int open = spsc.tryClaim(5, 8);
        assertThrows(IllegalArgumentException.class, () -> spsc.commit(7));
        assertEquals(0, header.getLong(lastHeaderWord), "the word just before the ring");
        spsc.commit(open);
        assertEquals(2, spsc.read((typeId, buffer, offset, length) -> assertEquals(5, typeId), 10));
    }

    @Test
    void shouldRefuseAnMpscTailWithABadTagBeforeWritingPastTheRing()
    {
        final ByteBuffer file = ByteBuffer.allocateDirect(ChannelFileDescriptor.FILE_HEADER_LENGTH + 4096 + 64);
        final UnsafeBuffer header = new UnsafeBuffer(file, 0, ChannelFileDescriptor.FILE_HEADER_LENGTH);
        final UnsafeBuffer ring = new UnsafeBuffer(file, ChannelFileDescriptor.FILE_HEADER_LENGTH, 4096);
        final UnsafeBuffer after = new UnsafeBuffer(file, ChannelFileDescriptor.FILE_HEADER_LENGTH + 4096, 64);
        final MpscRing mpsc = new MpscRing(header, ring, 120, 1_000_000_000L, "unaligned-tail");
        // the low 6 bits of an MPSC tail word are a bias tag; 32 is none
        header.putLong(ChannelFileDescriptor.TAIL_POSITION_OFFSET, 4032 + ChannelFileDescriptor.BIASED_TAG_LIMIT);
        header.putLong(ChannelFileDescriptor.CLEAN_POSITION_OFFSET, 4032);
        header.putLong(ChannelFileDescriptor.HEAD_CACHE_POSITION_OFFSET, 4032);

        final CorruptChannelException ex = assertThrows(CorruptChannelException.class, () -> mpsc.tryClaim(3, 8));
        assertTrue(ex.getMessage().contains("tailPosition bias tag=32"), ex.getMessage());
        for (int i = 0; i < after.capacity(); i++)
        {
            assertEquals(0, after.getByte(i), "byte " + i + " after the ring");
        }
    }

    /**
     * A claim's mark on the ring's last line whose length runs past the ring's end is corrupt, refused at every read:
     * skipped instead (its claimer is dead, or the timeout is 0 as here), it would become padding reaching past the
     * end, and the reader would go on from inside whatever record starts the ring.
     */
    @ParameterizedTest
    @EnumSource(RingKind.class)
    void shouldRefuseAClaimRunningPastTheRingsEndRatherThanSkipIt(final RingKind kind)
    {
        final int capacity = 4096;
        final long last = capacity - RecordDescriptor.ALIGNMENT;
        final UnsafeBuffer header =
            new UnsafeBuffer(ByteBuffer.allocateDirect(ChannelFileDescriptor.FILE_HEADER_LENGTH));
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(capacity));
        header.putLong(ChannelFileDescriptor.HEAD_POSITION_OFFSET, last);
        header.putLong(ChannelFileDescriptor.CLEAN_POSITION_OFFSET, last);
        header.putLong(ChannelFileDescriptor.HEAD_CACHE_POSITION_OFFSET, last);
        header.putLong(ChannelFileDescriptor.TAIL_POSITION_OFFSET, last + 2 * RecordDescriptor.ALIGNMENT);
        final long mark = RecordDescriptor.makeHeader(-100, 1); // 100 bytes from the last line: 36 past the end
        buffer.putLong((int)last, mark);
        final AbstractRing ring = RingKind.SPSC == kind ? new SpscRing(header, buffer, 120, 0, "past-the-end") :
            new MpscRing(header, buffer, 120, 0, "past-the-end");

        for (int i = 0; i < 3; i++)
        {
            ring.checkStuckOnNextRead();
            final CorruptChannelException ex = assertThrows(CorruptChannelException.class,
                () -> ring.read((typeId, b, offset, length) -> fail("delivered"), 10));
            assertTrue(ex.getMessage().contains("record frameLength=-100 expected a claim in [-64, -8]"),
                ex.getMessage());
        }
        assertEquals(mark, buffer.getLong((int)last), "the claim was skipped");
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRefuseARingOfRecordsAllTheWayRoundRatherThanReadForEver()
    {
        for (final int variant : new int[]{0, 1, 2, 3})
        {
            final boolean spsc = variant < 2;
            final boolean controlled = 1 == (variant & 1);
            final UnsafeBuffer header =
                new UnsafeBuffer(ByteBuffer.allocateDirect(ChannelFileDescriptor.FILE_HEADER_LENGTH));
            final UnsafeBuffer ring = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
            final Ring target = spsc ? new SpscRing(header, ring, 120, 1_000_000_000L, "round-and-round") :
                new MpscRing(header, ring, 120, 1_000_000_000L, "round-and-round");
            for (int offset = 0; offset < ring.capacity(); offset += RecordDescriptor.ALIGNMENT)
            {
                // padding, or messages, on every line: no zero header slot anywhere to end a batch
                ring.putLong(offset, offset % 128 == 0 ?
                    RecordDescriptor.makeHeader(RecordDescriptor.ALIGNMENT, RecordDescriptor.PADDING_TYPE_ID) :
                    RecordDescriptor.makeHeader(16, 1));
            }
            // a tail a lap on, so that the once-a-lap check against the tail passes and the lap check in a read is
            // what refuses them (RingContractTest has a tail left at 0)
            header.putLong(ChannelFileDescriptor.TAIL_POSITION_OFFSET, ring.capacity());
            final int[] delivered = {0};

            final CorruptChannelException ex = assertThrows(CorruptChannelException.class, () ->
            {
                if (controlled)
                {
                    target.controlledRead((typeId, buffer, offset, length) ->
                    {
                        delivered[0]++;
                        return ControlledMessageHandler.Action.CONTINUE;
                    }, Integer.MAX_VALUE);
                }
                else
                {
                    target.read((typeId, buffer, offset, length) -> delivered[0]++, Integer.MAX_VALUE);
                }
            });
            assertTrue(ex.getMessage().contains("records from head"), ex.getMessage());
            assertEquals(32, delivered[0], "one lap of messages, then the refusal: spsc=" + spsc +
                " controlled=" + controlled);
        }
    }
}
