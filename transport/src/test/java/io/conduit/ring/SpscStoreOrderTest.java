package io.conduit.ring;

import io.conduit.file.ChannelFileDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static io.conduit.ring.RecordDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Pins the order of the stores a claim and a commit make: the protocol's correctness rests on it.
 */
class SpscStoreOrderTest
{
    static final class RecordingBuffer extends UnsafeBuffer
    {
        final String name;
        final List<String> log;

        RecordingBuffer(final String name, final int length, final List<String> log)
        {
            super(ByteBuffer.allocateDirect(length));
            this.name = name;
            this.log = log;
        }

        @Override
        public void putLong(final int index, final long value)
        {
            log.add(name + ".putLong(" + index + "," + value + ")");
            super.putLong(index, value);
        }

        @Override
        public void putLongRelease(final int index, final long value)
        {
            log.add(name + ".putLongRelease(" + index + "," + value + ")");
            super.putLongRelease(index, value);
        }

        @Override
        public boolean compareAndSetLong(final int index, final long expectedValue, final long updateValue)
        {
            log.add(name + ".compareAndSetLong(" + index + "," + expectedValue + "," + updateValue + ")");
            return super.compareAndSetLong(index, expectedValue, updateValue);
        }

        @Override
        public void setMemory(final int index, final int length, final byte value)
        {
            log.add(name + ".setMemory(" + index + "," + length + "," + value + ")");
            super.setMemory(index, length, value);
        }

        @Override
        public void putLongVolatile(final int index, final long value)
        {
            log.add(name + ".putLongVolatile(" + index + "," + value + ")");
            super.putLongVolatile(index, value);
        }
    }

    @Test
    void shouldClearHeaderSlotsAheadThenPublishTailThenBodyThenLengthLast()
    {
        final List<String> log = new ArrayList<>();
        final RecordingBuffer header = new RecordingBuffer("header", ChannelFileDescriptor.FILE_HEADER_LENGTH, log);
        final RecordingBuffer ring = new RecordingBuffer("ring", 4096, log);
        final SpscRing spsc = new SpscRing(header, ring, 120, 1_000_000_000L, "test");

        final int offset = spsc.tryClaim(7, 12);
        ring.putLong(offset, 99); // the body
        spsc.commit(offset);

        final List<String> expected = new ArrayList<>();
        expected.add("header.putLongRelease(" + ChannelFileDescriptor.TAIL_POSITION_OFFSET + ",0)");   // attach
        expected.addAll(clearedLines(0, SpscRing.ZERO_AHEAD_LENGTH, 4096));                      // cleared ahead first
        expected.add("header.putLongRelease(" + ChannelFileDescriptor.TAIL_POSITION_OFFSET + ",64)");  // the extent
        expected.add("ring.putLong(8,99)");                                                            // body
        expected.add("ring.putLongRelease(0," + makeHeader(20, 7) + ")");                              // length last
        assertEquals(expected, ringAndTail(log));
    }

    @Test
    void shouldMarkAnOpenClaimWhenAnotherIsMade()
    {
        final List<String> log = new ArrayList<>();
        final RecordingBuffer header = new RecordingBuffer("header", ChannelFileDescriptor.FILE_HEADER_LENGTH, log);
        final RecordingBuffer ring = new RecordingBuffer("ring", 4096, log);
        final SpscRing spsc = new SpscRing(header, ring, 120, 1_000_000_000L, "test");

        final int first = spsc.tryClaim(1, 8);
        log.clear();
        final int second = spsc.tryClaim(2, 8);
        assertEquals(List.of(
            "ring.compareAndSetLong(0,0," + makeHeader(-16, 1) + ")",                         // first gets its mark
            "header.putLongRelease(" + ChannelFileDescriptor.TAIL_POSITION_OFFSET + ",128)"), // then the tail
            ringAndTail(log));
        log.clear();
        spsc.commit(second);
        spsc.commit(first);
        assertEquals(List.of(
            "ring.putLongRelease(64," + makeHeader(16, 2) + ")",
            "ring.putLongRelease(0," + makeHeader(16, 1) + ")"),
            ringAndTail(log));
    }

    @Test
    void shouldClearHeaderSlotsAtStartAndCoverThePaddingWithTheTailBeforePublishingIt()
    {
        final List<String> log = new ArrayList<>();
        final RecordingBuffer header = new RecordingBuffer("header", ChannelFileDescriptor.FILE_HEADER_LENGTH, log);
        final RecordingBuffer ring = new RecordingBuffer("ring", 4096, log);
        final SpscRing spsc = new SpscRing(header, ring, 120, 1_000_000_000L, "test");
        // move both positions to the last line so the next 72-byte record (two lines) must wrap
        header.putLongRelease(ChannelFileDescriptor.TAIL_POSITION_OFFSET, 4032);
        header.putLongRelease(ChannelFileDescriptor.HEAD_POSITION_OFFSET, 4032);
        log.clear();

        final int offset = spsc.tryClaim(3, 64);
        assertEquals(HEADER_LENGTH, offset);
        final List<String> expected = new ArrayList<>();
        expected.add("header.putLongRelease(" + ChannelFileDescriptor.TAIL_POSITION_OFFSET + ",4032)"); // attach
        // the last line's header slot, then on from offset 0, before the padding is published
        expected.addAll(clearedLines(4032, SpscRing.ZERO_AHEAD_LENGTH, 4096));
        // a tail over the padding alone before the padding: never a head past the tail (SpscWrapKillTest)
        expected.add("header.putLongRelease(" + ChannelFileDescriptor.TAIL_POSITION_OFFSET + ",4096)");
        expected.add("ring.putLongRelease(4032," + makeHeader(64, PADDING_TYPE_ID) + ")");
        expected.add("header.putLongRelease(" + ChannelFileDescriptor.TAIL_POSITION_OFFSET + ",4224)");
        assertEquals(expected, ringAndTail(log));
    }

    /**
     * The stores that clear the header slot of every line in {@code length} bytes from {@code position}.
     */
    private static List<String> clearedLines(final long position, final int length, final int capacity)
    {
        final List<String> stores = new ArrayList<>();
        for (long line = position; line < position + length; line += RecordDescriptor.ALIGNMENT)
        {
            stores.add("ring.putLong(" + (line & (capacity - 1)) + ",0)");
        }
        return stores;
    }

    private static List<String> ringAndTail(final List<String> log)
    {
        final List<String> result = new ArrayList<>();
        for (final String entry : log)
        {
            if (entry.startsWith("ring.") ||
                entry.startsWith("header.putLongRelease(" + ChannelFileDescriptor.TAIL_POSITION_OFFSET + ","))
            {
                result.add(entry);
            }
        }
        return result;
    }
}
