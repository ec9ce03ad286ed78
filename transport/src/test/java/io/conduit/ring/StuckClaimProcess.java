package io.conduit.ring;

import io.conduit.file.ChannelFile;
import org.agrona.concurrent.AtomicBuffer;

import java.nio.file.Paths;

/**
 * Child process for {@link CrossProcessTest}: sends {@code committed} {@link SequencedMessage}s, then claims one more
 * (sequence {@code committed}), writes part of its body, prints {@code CLAIMED offset} and sleeps without ever
 * committing, waiting to be killed between claim and commit.
 * <p>
 * Arguments: {@code dir name committed producerId}. Exit codes: 1 failed, 3 could not claim, 4 never killed.
 */
public final class StuckClaimProcess
{
    static final long SLEEP_MS = 120_000;

    private StuckClaimProcess()
    {
    }

    /**
     * @param args {@code dir name committed producerId}.
     */
    public static void main(final String[] args) throws Exception
    {
        final long committed = Long.parseLong(args[2]);
        final int producerId = Integer.parseInt(args[3]);
        try
        {
            final ChannelFile file = ChannelFile.open(Paths.get(args[0]), args[1]);
            final Ring ring = file.ring();
            final AtomicBuffer buffer = ring.buffer();
            final SequencedMessage message = new SequencedMessage();
            for (long sequence = 0; sequence < committed; sequence++)
            {
                final int offset = ring.tryClaim(
                    SequencedMessage.TYPE_ID, SequencedMessage.bodyLength(producerId, sequence));
                if (offset < 0)
                {
                    System.err.println("no space for sequence=" + sequence + ": make the ring bigger");
                    System.exit(3);
                }
                message.encode(buffer, offset, producerId, sequence);
                ring.commit(offset);
            }
            final int offset = ring.tryClaim(
                SequencedMessage.TYPE_ID, SequencedMessage.bodyLength(producerId, committed));
            if (offset < 0)
            {
                System.err.println("no space for the stuck claim: make the ring bigger");
                System.exit(3);
            }
            SequencedMessage.encodePartially(buffer, offset, producerId, committed);
            System.out.println("CLAIMED " + offset);
            Thread.sleep(SLEEP_MS);
            System.err.println("never killed");
            System.exit(4);
        }
        catch (final Throwable ex)
        {
            ex.printStackTrace();
            System.exit(1);
        }
    }
}
