package io.conduit.ring;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static io.conduit.file.ChannelFileDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A producer checking its capacity reads the clean position and then the tail; between the two loads the consumer
 * may clean on and other producers claim on, which is no corruption. Found by the killed-producers cross-process
 * test (-Pslow) as a false CorruptChannelException; here the race is made to happen on every such pair of loads.
 */
class MpscPositionRaceTest
{
    private static final int CAPACITY = 4096;

    /**
     * A header whose tail, read right after the clean position, has moved on together with the head and the clean
     * position, as a consumer and other producers would have moved them in between.
     */
    static final class RacingHeader extends UnsafeBuffer
    {
        private int lastRead = -1;
        private boolean raced;

        RacingHeader()
        {
            super(ByteBuffer.allocateDirect(FILE_HEADER_LENGTH));
        }

        @Override
        public long getLongVolatile(final int index)
        {
            if (TAIL_POSITION_OFFSET == index && CLEAN_POSITION_OFFSET == lastRead && !raced)
            {
                raced = true;
                final long clean = super.getLongVolatile(CLEAN_POSITION_OFFSET) + CAPACITY / 2;
                putLongVolatile(HEAD_POSITION_OFFSET, clean); // a consumer stores its head before cleaning behind it
                putLongVolatile(CLEAN_POSITION_OFFSET, clean);
                putLongVolatile(TAIL_POSITION_OFFSET, clean + CAPACITY - 64);
            }
            lastRead = index;
            return super.getLongVolatile(index);
        }
    }

    @Test
    void shouldNotReportCorruptionWhenTheConsumerAndOtherProducersMoveBetweenItsTwoLoads()
    {
        final RacingHeader header = new RacingHeader();
        final UnsafeBuffer ring = new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY));
        // clean 1024, the tail a line short of clean + capacity: the next claim takes the checked path
        header.putLong(HEAD_POSITION_OFFSET, 1024);
        header.putLong(CLEAN_POSITION_OFFSET, 1024);
        header.putLong(HEAD_CACHE_POSITION_OFFSET, 1024);
        header.putLong(TAIL_POSITION_OFFSET, 1024 + CAPACITY - 64);
        final MpscRing mpsc = new MpscRing(header, ring, 120, 1_000_000_000L, "position-race");
        mpsc.biasAllowed = false; // the race is the shared path's: clean, tail, clean again

        assertEquals(Ring.INSUFFICIENT_CAPACITY, mpsc.tryClaim(3, 8));
        assertTrue(header.raced, "the race was not staged: the claim never read clean then tail");
    }
}
