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
        public void putLongVolatile(final int index, final long value)
        {
            log.add(name + ".putLongVolatile(" + index + "," + value + ")");
            super.putLongVolatile(index, value);
        }
    }

    @Test
    void shouldZeroNextSlotThenMarkThenPublishTailThenCommitLast()
    {
        final List<String> log = new ArrayList<>();
        final RecordingBuffer header = new RecordingBuffer("header", ChannelFileDescriptor.FILE_HEADER_LENGTH, log);
        final RecordingBuffer ring = new RecordingBuffer("ring", 1024, log);
        final SpscRing spsc = new SpscRing(header, ring, 120, 1_000_000_000L, "test");

        spsc.commit(spsc.tryClaim(1, 0)); // attach the producer: the record at 0 takes 8 bytes
        log.clear();

        final int offset = spsc.tryClaim(7, 12);
        ring.putLong(offset, 99); // the body
        spsc.commit(offset);

        final List<String> ringAndTail = new ArrayList<>();
        for (final String entry : log)
        {
            if (entry.startsWith("ring.") ||
                entry.startsWith("header.putLongRelease(" + ChannelFileDescriptor.TAIL_POSITION_OFFSET + ","))
            {
                ringAndTail.add(entry);
            }
        }
        assertEquals(List.of(
            "ring.putLong(32,0)",                                                // next header slot zeroed
            "ring.putLongRelease(8," + makeHeader(-20, 7) + ")",                 // claim mark, release
            "header.putLongRelease(" + ChannelFileDescriptor.TAIL_POSITION_OFFSET + ",32)", // tail after the mark
            "ring.putLong(16,99)",                                               // body
            "ring.putLongRelease(8," + makeHeader(20, 7) + ")"),                 // length published last
            ringAndTail);
    }

    @Test
    void shouldZeroRecordAtStartAndMarkItBeforePublishingWrapPadding()
    {
        final List<String> log = new ArrayList<>();
        final RecordingBuffer header = new RecordingBuffer("header", ChannelFileDescriptor.FILE_HEADER_LENGTH, log);
        final RecordingBuffer ring = new RecordingBuffer("ring", 1024, log);
        final SpscRing spsc = new SpscRing(header, ring, 120, 1_000_000_000L, "test");
        // move both positions to 1000 so the next 32-byte record must wrap
        header.putLongRelease(ChannelFileDescriptor.TAIL_POSITION_OFFSET, 1000);
        header.putLongRelease(ChannelFileDescriptor.HEAD_POSITION_OFFSET, 1000);
        log.clear();

        final int offset = spsc.tryClaim(3, 24);
        assertEquals(HEADER_LENGTH, offset);
        final List<String> ringStores = new ArrayList<>();
        for (final String entry : log)
        {
            if (entry.startsWith("ring."))
            {
                ringStores.add(entry);
            }
        }
        assertEquals(List.of(
            "ring.putLong(32,0)",                                             // slot after the record at 0
            "ring.putLong(0," + makeHeader(-32, 3) + ")",                     // mark at 0
            "ring.putLongRelease(1000," + makeHeader(24, PADDING_TYPE_ID) + ")"), // padding published last
            ringStores);
    }
}
