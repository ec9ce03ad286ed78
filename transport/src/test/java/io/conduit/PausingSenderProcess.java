package io.conduit;

import io.conduit.file.ChannelOptions;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Child JVM for {@link FutexCrossProcessWakeTest}: sends {@code count} sequenced, checksummed messages with a random
 * pause of 0 to {@code maxPauseNs} before each, so the receiver goes to sleep between most of them.
 */
public final class PausingSenderProcess
{
    /**
     * @param args directory, channel name, count, max pause in ns.
     * @throws Exception on any failure; the exit code tells the test.
     */
    public static void main(final String[] args) throws Exception
    {
        final Path dir = Path.of(args[0]);
        final long count = Long.parseLong(args[2]);
        final long maxPauseNs = Long.parseLong(args[3]);
        final SplittableRandom random = new SplittableRandom(42);
        try (Channel channel = Channel.open(dir, args[1], ChannelOptions.defaults()))
        {
            final UnsafeBuffer message = new UnsafeBuffer(new byte[16]);
            for (long sequence = 0; sequence < count; sequence++)
            {
                final long pauseUntilNs = System.nanoTime() + random.nextLong(maxPauseNs + 1);
                while (System.nanoTime() < pauseUntilNs)
                {
                    Thread.onSpinWait();
                }
                message.putLong(0, sequence);
                message.putLong(8, sequence * 0x9E3779B97F4A7C15L);
                if (!channel.send(1, message, 0, 16, TimeUnit.SECONDS.toNanos(30)))
                {
                    System.exit(3);
                }
            }
        }
    }
}
