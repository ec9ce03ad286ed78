package io.conduit.ring;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import static io.conduit.file.ChannelFileDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Values another process scribbles into the header while the consumer works, between two of its reads of one field.
 * The scan past an unmarked claim reads the tail again: scribbled down by more than 2^31 from a position past 2^31,
 * the difference, cut to an int, came out positive and huge, and the scan ran past the ring (an
 * IndexOutOfBoundsException here, a read outside the mapping with Agrona's bounds checks off). Now the scan finds
 * nothing there, and the consumer goes on waiting.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MpscScribbledTailTest
{
    static final int CAPACITY = 64 * 1024;
    /** Past 2^31, where a tail of 0 minus the position, cut to an int, is positive. */
    static final long START = (1L << 31) + 64 * 1024;

    /** A header whose tail, read from the scan past an unmarked claim, has been scribbled to 0. */
    static final class ScribblingHeader extends LoadHookedHeader
    {
        boolean armed;
        int scribbledReads;

        @Override
        long onLoad(final int index, final long value)
        {
            if (armed && TAIL_POSITION_OFFSET == index && calledFrom("scanToNextHeader"))
            {
                scribbledReads++;
                return 0;
            }
            return value;
        }

        private static boolean calledFrom(final String method)
        {
            for (final StackTraceElement frame : new Throwable().getStackTrace())
            {
                if (method.equals(frame.getMethodName()))
                {
                    return true;
                }
            }
            return false;
        }
    }

    @Test
    void shouldNotScanPastTheRingWhenTheTailIsScribbledDown()
    {
        final ScribblingHeader header = new ScribblingHeader();
        header.putLongVolatile(HEAD_POSITION_OFFSET, START);
        header.putLongVolatile(TAIL_POSITION_OFFSET, START);
        header.putLongVolatile(CLEAN_POSITION_OFFSET, START);
        header.putLongVolatile(HEAD_CACHE_POSITION_OFFSET, START);
        final MpscRing ring = new MpscRing(header, new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY)), 1024, 0,
            "scribbled-tail");
        assertEquals(0, ring.read((t, b, o, l) -> fail("nothing sent"), 10)); // attached at START

        // a claim left unmarked at the head (its mark cleared, as a producer killed before writing it), by a live
        // process, so only the timeout (0 here) and the scan past it apply
        final int offset = ring.tryClaim(1, 8);
        assertTrue(offset > 0);
        ring.buffer().putLongVolatile(offset - RecordDescriptor.HEADER_LENGTH, 0L);
        header.armed = true;

        for (int i = 0; i < 4 && 0 == header.scribbledReads; i++)
        {
            ring.checkStuckOnNextRead();
            assertEquals(0, ring.read((t, b, o, l) -> fail("nothing committed"), 10));
        }
        assertTrue(header.scribbledReads > 0, "the scan never ran");
        assertEquals(0, ring.recordsSkipped(), "nothing found past the claim, nothing skipped");
    }
}
