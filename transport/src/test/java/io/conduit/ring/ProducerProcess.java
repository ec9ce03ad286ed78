package io.conduit.ring;

import io.conduit.file.ChannelFile;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;

import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

/**
 * Child process for {@link CrossProcessTest}: sends {@code count} {@link SequencedMessage}s with sequences 0 to
 * count - 1 into an existing channel, then prints {@code SENT count}. With a linger time it then stays alive, still
 * holding the producer role, until killed or the time is up.
 * <p>
 * Arguments: {@code dir name count producerId [lingerMs]}. Exit codes: 0 done, 1 failed, 2 timed out on
 * back-pressure.
 */
public final class ProducerProcess
{
    static final long DEADLINE_MS = 90_000;

    private ProducerProcess()
    {
    }

    /**
     * @param args {@code dir name count producerId [lingerMs]}.
     */
    public static void main(final String[] args) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
        final long count = Long.parseLong(args[2]);
        final int producerId = Integer.parseInt(args[3]);
        final long lingerMs = args.length > 4 ? Long.parseLong(args[4]) : 0;
        try (ChannelFile file = ChannelFile.open(Paths.get(args[0]), args[1]))
        {
            final Ring ring = file.ring();
            final AtomicBuffer buffer = ring.buffer();
            final SequencedMessage message = new SequencedMessage();
            final BackoffIdleStrategy idle = new BackoffIdleStrategy(100, 10, 1_000, 100_000);
            for (long sequence = 0; sequence < count; sequence++)
            {
                final int length = SequencedMessage.bodyLength(producerId, sequence);
                int offset;
                while ((offset = ring.tryClaim(SequencedMessage.TYPE_ID, length)) < 0)
                {
                    if (System.nanoTime() > deadlineNs)
                    {
                        System.err.println("TIMEOUT on back-pressure at sequence=" + sequence);
                        System.exit(2);
                    }
                    idle.idle();
                }
                idle.reset();
                message.encode(buffer, offset, producerId, sequence);
                ring.commit(offset);
            }
            System.out.println("SENT " + count);
            if (lingerMs > 0)
            {
                Thread.sleep(lingerMs);
            }
        }
        catch (final Throwable ex)
        {
            ex.printStackTrace();
            System.exit(1);
        }
    }
}
