package io.conduit.ring;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static io.conduit.file.ChannelFileDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The consumer about to skip the SPSC producer's latest, unmarked claim after the stuck claim timeout reads the
 * tail for the claim's extent; if the producer makes another claim just then (marking the first), the tail covers
 * both and, past a wrap, more than the ring's end: that is no corruption, and the read must not say it is.
 */
class SpscUnmarkedClaimRaceTest
{
    private static final int CAPACITY = 4096;

    /**
     * A header that, on the second tail read after it is armed, lets the producer make its next claim first.
     */
    static final class RacingHeader extends UnsafeBuffer
    {
        Runnable onSecondTailRead;
        private int tailReads;

        RacingHeader()
        {
            super(ByteBuffer.allocateDirect(FILE_HEADER_LENGTH));
        }

        @Override
        public long getLongVolatile(final int index)
        {
            if (TAIL_POSITION_OFFSET == index && null != onSecondTailRead && 2 == ++tailReads)
            {
                final Runnable race = onSecondTailRead;
                onSecondTailRead = null;
                race.run();
            }
            return super.getLongVolatile(index);
        }
    }

    @Test
    void shouldNotReportCorruptionWhenTheProducerClaimsAgainAsTheConsumerSkipsItsUnmarkedClaim()
    {
        final RacingHeader header = new RacingHeader();
        final UnsafeBuffer ring = new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY));
        // both positions on the ring's last two lines, so the second claim wraps
        header.putLong(HEAD_POSITION_OFFSET, CAPACITY - 128);
        header.putLong(TAIL_POSITION_OFFSET, CAPACITY - 128);
        // a stuck claim timeout of 0: the first stuck check starts the clock, the next one skips
        final SpscRing ringView = new SpscRing(header, ring, 504, 0L, "unmarked-race");
        final int[] delivered = {0};

        final int first = ringView.tryClaim(1, 8); // left open, unmarked: the latest claim
        assertEquals(0, ringView.read((t, b, o, l) -> delivered[0]++, 10));
        ringView.checkStuckOnNextRead();
        assertEquals(0, ringView.read((t, b, o, l) -> delivered[0]++, 10)); // starts the stuck clock

        final int[] second = {0};
        header.onSecondTailRead = () -> second[0] = ringView.tryClaim(2, 100); // wraps: padding, then offset 0
        ringView.checkStuckOnNextRead();
        assertEquals(0, ringView.read((t, b, o, l) -> delivered[0]++, 10)); // no CorruptChannelException
        assertTrue(second[0] > 0, "the second claim was not made during the skip: " + second[0]);
        assertEquals(0, ringView.recordsSkipped(), "the open claim, now marked by the second, must not be skipped");

        ringView.commit(second[0]);
        ringView.commit(first);
        assertEquals(2, ringView.read((t, b, o, l) -> delivered[0]++, 10));
        assertEquals(2, delivered[0]);
    }
}
