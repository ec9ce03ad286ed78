package io.conduit.ring;

import io.conduit.MessageHandler;
import io.conduit.file.ChannelFile;
import org.agrona.MutableDirectBuffer;

import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

/**
 * Child process for {@link CrossProcessTest}: reads {@link SequencedMessage}s of one producer in batches of at most
 * {@code limit}, checking each, and after every batch (that is, after {@code read} has stored the head) prints
 * {@code ACK first last} with the batch's first and last sequence. The first sequence it sees may be anywhere; after
 * that every sequence must follow the one before. Prints {@code DONE} once sequence {@code total - 1} is read.
 * <p>
 * Arguments: {@code dir name producerId total limit}. Exit codes: 0 done, 1 failed or bad message, 2 timed out.
 */
public final class ConsumerProcess implements MessageHandler
{
    static final long DEADLINE_MS = 90_000;

    private final SequencedMessage message = new SequencedMessage();
    private final int producerId;
    private long first = -1;
    private long next = -1;
    private String error;

    private ConsumerProcess(final int producerId)
    {
        this.producerId = producerId;
    }

    /**
     * @param args {@code dir name producerId total limit}.
     */
    public static void main(final String[] args) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
        final int producerId = Integer.parseInt(args[2]);
        final long total = Long.parseLong(args[3]);
        final int limit = Integer.parseInt(args[4]);
        try (ChannelFile file = ChannelFile.open(Paths.get(args[0]), args[1]))
        {
            final Ring ring = file.ring();
            final ConsumerProcess consumer = new ConsumerProcess(producerId);
            while (consumer.next < total)
            {
                consumer.first = -1;
                final int count = ring.read(consumer, limit);
                if (null != consumer.error)
                {
                    System.err.println("ERROR " + consumer.error);
                    System.exit(1);
                }
                if (count > 0)
                {
                    System.out.println("ACK " + consumer.first + " " + (consumer.next - 1) + " " + ring.headPosition());
                }
                else if (System.nanoTime() > deadlineNs)
                {
                    System.err.println("TIMEOUT at next=" + consumer.next);
                    System.exit(2);
                }
                else
                {
                    Thread.onSpinWait();
                }
            }
            System.out.println("DONE");
        }
        catch (final Throwable ex)
        {
            ex.printStackTrace();
            System.exit(1);
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onMessage(final int typeId, final MutableDirectBuffer buffer, final int offset, final int length)
    {
        if (null != error)
        {
            return;
        }
        final String problem = message.verify(buffer, offset, length);
        final long sequence = SequencedMessage.sequence(buffer, offset);
        if (null != problem)
        {
            error = problem;
        }
        else if (SequencedMessage.TYPE_ID != typeId || producerId != SequencedMessage.producerId(buffer, offset))
        {
            error = "typeId=" + typeId + " producerId=" + SequencedMessage.producerId(buffer, offset);
        }
        else if (-1 != next && next != sequence)
        {
            error = "sequence=" + sequence + " expected=" + next;
        }
        if (-1 == first)
        {
            first = sequence;
        }
        next = sequence + 1;
    }
}
