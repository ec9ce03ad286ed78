package io.conduit.perf.harness;

import io.conduit.ring.RingKind;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The parent's own check of each reply in a message-based system (Conduit's rings and channels, Agrona's rings and
 * Aeron's subscriptions, all through {@link Endpoint.Receiver}): a reply shorter
 * or longer than the ping ends the run with a message naming both lengths, before its time is recorded.
 * EchoWholeReplyTest shows that every echo sends back each byte; this shows that a run would notice one that did not.
 */
class ReplyCheckTest
{
    private static final int LENGTH = 64;

    private final Endpoint endpoint = new ConduitEndpoint("conduit-spsc", RingKind.SPSC);
    private final Histogram histogram = new Histogram(3);
    private final Endpoint.Receiver receiver = new Endpoint.Receiver();
    private final UnsafeBuffer reply = new UnsafeBuffer(new byte[HarnessOptions.MAX_LENGTH + 8]);

    @Test
    void shouldRecordAWholeReply()
    {
        receive(LENGTH, 0);
        endpoint.record(histogram, 0, 0, receiver, LENGTH, 1_500);
        assertEquals(1, histogram.getTotalCount());
        assertEquals(1_000, histogram.getValueAtPercentile(50), 1);
    }

    @Test
    void shouldRefuseAReplyShorterOrLongerThanThePing()
    {
        for (final int length :
            new int[]{8, MessageLayout.MIN_LENGTH, LENGTH - 1, LENGTH + 1, HarnessOptions.MAX_LENGTH + 1})
        {
            receive(length, 0);
            final IllegalStateException ex = assertThrows(IllegalStateException.class,
                () -> endpoint.record(histogram, 0, 0, receiver, LENGTH, 1_500));
            assertEquals("conduit-spsc: reply length=" + length + " expected=" + LENGTH +
                " (the echo must send back the whole message)", ex.getMessage());
        }
        assertEquals(0, histogram.getTotalCount(), "nothing recorded from a refused reply");
    }

    @Test
    void shouldCheckAnAeronFragmentAsAMessage()
    {
        reply.putLong(MessageLayout.SEND_TIME_OFFSET, 500);
        reply.putLong(MessageLayout.SEQUENCE_OFFSET, 0);
        receiver.onFragment(reply, 0, LENGTH - 8, null);
        assertThrows(IllegalStateException.class, () -> endpoint.record(histogram, 0, 0, receiver, LENGTH, 1_500));
        receiver.onFragment(reply, 0, LENGTH, null);
        endpoint.record(histogram, 0, 0, receiver, LENGTH, 1_500);
        assertEquals(1, histogram.getTotalCount());
    }

    @Test
    void shouldStillRefuseAWholeReplyWithTheWrongSequence()
    {
        receive(LENGTH, 1);
        assertThrows(IllegalStateException.class, () -> endpoint.record(histogram, 0, 0, receiver, LENGTH, 1_500));
    }

    private void receive(final int length, final long sequence)
    {
        reply.putLong(MessageLayout.SEND_TIME_OFFSET, 500);
        reply.putLong(MessageLayout.SEQUENCE_OFFSET, sequence);
        receiver.onMessage(MessageLayout.TYPE_ID, reply, 0, length);
    }
}
