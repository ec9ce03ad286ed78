package io.conduit.ring;

import io.conduit.MessageHandler;
import org.agrona.MutableDirectBuffer;

import java.util.Arrays;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Receives {@link SequencedMessage}s from up to {@link #MAX_PRODUCERS} producers and records the first error: a bad
 * message, a wrong type id, or a sequence out of order within its producer's stream.
 * <p>
 * Threading: one consumer thread.
 */
final class Receiver implements MessageHandler
{
    static final int MAX_PRODUCERS = 8;
    static final int BATCH_LIMIT = 256;

    private final SequencedMessage message = new SequencedMessage();
    private final boolean fromZero;
    /** Next sequence expected from each producer, or -1 before its first message when not reading from zero. */
    final long[] next = new long[MAX_PRODUCERS];
    /** First sequence seen from each producer, or -1. */
    final long[] first = new long[MAX_PRODUCERS];
    long received;
    String error;

    /**
     * @param fromZero true if every producer's stream must start at sequence 0; false to take the first message seen
     * from each producer as the start of its stream (a consumer that attaches mid-stream).
     */
    Receiver(final boolean fromZero)
    {
        this.fromZero = fromZero;
        Arrays.fill(next, fromZero ? 0 : -1);
        Arrays.fill(first, -1);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onMessage(final int typeId, final MutableDirectBuffer buffer, final int offset, final int length)
    {
        received++;
        if (null != error)
        {
            return;
        }
        final String problem = message.verify(buffer, offset, length);
        if (null != problem)
        {
            error = "message " + received + ": " + problem;
            return;
        }
        final int producerId = SequencedMessage.producerId(buffer, offset);
        final long sequence = SequencedMessage.sequence(buffer, offset);
        if (SequencedMessage.TYPE_ID != typeId || producerId >= MAX_PRODUCERS)
        {
            error = "message " + received + ": typeId=" + typeId + " producerId=" + producerId;
            return;
        }
        if (-1 == first[producerId])
        {
            first[producerId] = sequence;
        }
        if (-1 != next[producerId] && next[producerId] != sequence)
        {
            error = "producerId=" + producerId + " sequence=" + sequence + " expected=" + next[producerId] +
                (sequence < next[producerId] ? " (duplicate or reordered)" : " (lost)");
            return;
        }
        next[producerId] = sequence + 1;
    }

    /**
     * Read until {@code done}, failing on a bad message, a failed child or the timeout.
     *
     * @param ring the ring to read.
     * @param done when to stop.
     * @param timeoutMs how long to try.
     * @param children children whose failure ends the wait, and whose diagnostics go in the message.
     */
    void readUntil(final Ring ring, final BooleanSupplier done, final long timeoutMs, final ChildJvm... children)
    {
        final long deadlineMs = System.currentTimeMillis() + timeoutMs;
        int idlePolls = 0;
        while (!done.getAsBoolean())
        {
            final int count = ring.read(this, BATCH_LIMIT);
            if (null != error)
            {
                fail(error + diagnostics(children));
            }
            if (0 == count)
            {
                if (0 == (++idlePolls & 1023))
                {
                    for (final ChildJvm child : children)
                    {
                        child.checkNotFailed();
                    }
                    if (System.currentTimeMillis() > deadlineMs)
                    {
                        fail("not done within " + timeoutMs + " ms: " + this + " ring size=" + ring.size() +
                            diagnostics(children));
                    }
                }
                Thread.yield();
            }
        }
    }

    static String diagnostics(final ChildJvm... children)
    {
        final StringBuilder sb = new StringBuilder();
        for (final ChildJvm child : children)
        {
            sb.append('\n').append(child.diagnostics());
        }
        return sb.toString();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "Receiver{received=" + received + ", fromZero=" + fromZero + ", next=" + Arrays.toString(next) +
            ", first=" + Arrays.toString(first) + ", error=" + error + '}';
    }
}
