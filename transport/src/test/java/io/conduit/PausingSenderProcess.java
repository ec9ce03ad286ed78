package io.conduit;

import io.conduit.file.ChannelOptions;
import io.conduit.ring.Ring;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Child JVM for {@link FutexCrossProcessWakeTest} and {@link ChannelSetTest}: sends {@code count} sequenced,
 * checksummed messages with a random pause of 0 to {@code maxPauseNs} before each, so the receiver goes to sleep
 * between most of them. In lockstep it sends each message only once the ring is empty again (the one before has been
 * read), so that no later message's wake-up can rescue a receiver that missed the wake-up of this one.
 * <p>
 * Exit codes: 0 sent, 3 a send timed out, 4 a message was not read within the send timeout.
 */
public final class PausingSenderProcess
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    private PausingSenderProcess()
    {
    }

    /**
     * Launch this main in a child JVM with the test class path, its output to {@code log}.
     *
     * @param dir        channel directory.
     * @param name       channel name.
     * @param count      messages to send, sequences 0 to count - 1.
     * @param maxPauseNs longest pause before a send.
     * @param lockstep   send each message only once the one before has been read.
     * @param log        where the child's stdout and stderr go.
     * @param jvmOptions options before the main class, such as system properties.
     * @return the running child.
     * @throws IOException if it cannot be started.
     */
    static Process start(
        final Path dir,
        final String name,
        final long count,
        final long maxPauseNs,
        final boolean lockstep,
        final Path log,
        final String... jvmOptions)
        throws IOException
    {
        return TestJvm.start(PausingSenderProcess.class, log, jvmOptions,
            dir.toString(), name, String.valueOf(count), String.valueOf(maxPauseNs), String.valueOf(lockstep));
    }

    /**
     * @param args directory, channel name, count, max pause in ns, lockstep.
     * @throws Exception on any failure; the exit code tells the test.
     */
    public static void main(final String[] args) throws Exception
    {
        final Path dir = Path.of(args[0]);
        final long count = Long.parseLong(args[2]);
        final long maxPauseNs = Long.parseLong(args[3]);
        final boolean lockstep = Boolean.parseBoolean(args[4]);
        final SplittableRandom random = new SplittableRandom(42);
        try (Channel channel = Channel.open(dir, args[1], ChannelOptions.defaults()))
        {
            final Ring ring = channel.ring();
            final UnsafeBuffer message = new UnsafeBuffer(new byte[16]);
            for (long sequence = 0; sequence < count; sequence++)
            {
                if (lockstep && !awaitEmpty(ring))
                {
                    System.exit(4);
                }
                final long pauseUntilNs = System.nanoTime() + random.nextLong(maxPauseNs + 1);
                while (System.nanoTime() < pauseUntilNs)
                {
                    Thread.onSpinWait();
                }
                message.putLong(0, sequence);
                message.putLong(8, sequence * 0x9E3779B97F4A7C15L);
                if (!channel.send(1, message, 0, 16, TIMEOUT_NS))
                {
                    System.exit(3);
                }
            }
        }
    }

    /**
     * @return false if the consumer did not read up to the tail within the timeout.
     */
    private static boolean awaitEmpty(final Ring ring)
    {
        final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
        while (ring.headPosition() != ring.tailPosition())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }
}
