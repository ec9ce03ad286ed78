package io.conduit.ring;

import io.conduit.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.conduit.file.ChannelFileDescriptor.*;
import static io.conduit.ring.MpscDeadClaimTest.DEAD_PID;
import static io.conduit.ring.MpscDeadClaimTest.LATER_MESSAGES;
import static io.conduit.ring.MpscDeadClaimTest.PROMPT_POLLS;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The consumer reads a producer slot while another process may be taking it over: the pid, the claim word, then the
 * pid again, and takes the slot as a dead claim only if the pid read the same twice. This test makes a live process
 * take the dead producer's slot and reset it, as {@code attachProducer} does, at the worst instant: between the
 * claim word's load and the second pid load, through a header that runs the change from inside the claim word's
 * load. The claim word read still describes the dead claim; only the second pid load tells the slot is no longer
 * the dead producer's, and the consumer must not skip on it. (The claim word is one store, so no change made while
 * the consumer reads can mix one claim's position with another's length.) The stuck check of an unmarked claim reads
 * the slot twice (is the claimer dead, then how long is its claim), and the change is made during each in turn.
 * Once the slot again holds the dead claim steadily, the same consumer skips it promptly: what stopped it was the
 * race, not the setup.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MpscSlotReadRaceTest
{
    static final int CAPACITY = 64 * 1024;
    static final int FRAME_LENGTH = RecordDescriptor.HEADER_LENGTH + MpscDeadClaimTest.BODY_LENGTH;
    static final int SLOT = producerSlotOffset(MAX_PRODUCERS - 1);


    /** A header that, once armed, runs a change of the slot from inside the consumer's load of its claim word. */
    static final class RacingHeader extends LoadHookedHeader
    {
        Runnable change;
        /** Loads of the claim word to let by before the one that runs the change. */
        int loadsBefore;
        int fired;

        @Override
        long onLoad(final int index, final long value)
        {
            if (null != change && SLOT + SLOT_CLAIM_OFFSET == index && loadsBefore-- <= 0)
            {
                final Runnable change = this.change;
                this.change = null;
                fired++;
                change.run();
            }
            return value;
        }
    }

    /**
     * A marked claim's stuck check reads the slot once. An unmarked claim's reads it twice, once to tell the claimer
     * is dead and once for the claim's extent, and the change may come during either.
     */
    static Stream<Arguments> cases()
    {
        return Stream.of(Arguments.of(true, 0), Arguments.of(false, 0), Arguments.of(false, 1));
    }

    @ParameterizedTest(name = "marked={0} taken during slot read {1}")
    @MethodSource("cases")
    void shouldNotSkipOnASlotTakenOverWhileBeingRead(final boolean marked, final int readsBefore)
    {
        final RacingHeader header = new RacingHeader();
        final MpscRing ring = new MpscRing(header, new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY)), 1024,
            TimeUnit.SECONDS.toNanos(60), "slot-race");
        final long claimLength = RecordDescriptor.alignedLength(FRAME_LENGTH);
        MpscDeadClaimTest.layDeadClaimThenMessages(ring, header, marked);
        // attach the consumer before arming: its attach sweeps every slot's claim word, and a change run from that
        // load, not the stuck check's, would leave the check nothing to race with
        assertEquals(0, ring.read((typeId, buffer, offset, length) -> fail("delivered past the claim"), 100));

        header.loadsBefore = readsBefore;
        header.change = () -> MpscDeadClaimTest.setSlot(header, MAX_PRODUCERS - 1, ProcessHandle.current().pid(), 0);
        final int[] delivered = {0};
        final MessageHandler handler = (typeId, buffer, offset, length) ->
        {
            assertEquals(delivered[0], buffer.getInt(offset), "out of order");
            delivered[0]++;
        };
        int polls = 0;
        while (0 == header.fired && polls < PROMPT_POLLS)
        {
            ring.read(handler, 100);
            polls++;
        }
        assertEquals(1, header.fired, "the consumer never read the slot within " + PROMPT_POLLS + " polls");
        for (int i = 0; i < PROMPT_POLLS; i++)
        {
            ring.read(handler, 100);
        }
        assertEquals(0, ring.recordsSkipped(), "skipped on a slot taken over while it was read");
        assertEquals(0, delivered[0]);

        MpscDeadClaimTest.setSlot(header, MAX_PRODUCERS - 1, DEAD_PID, slotClaim(0, claimLength));
        polls = 0;
        while (delivered[0] < LATER_MESSAGES && polls < 2 * PROMPT_POLLS)
        {
            ring.read(handler, 100);
            polls++;
        }
        assertEquals(LATER_MESSAGES, delivered[0], "the dead claim, read steadily, was not skipped in " + polls +
            " polls");
        assertEquals(1, ring.recordsSkipped());
    }
}
