package io.conduit;

import io.conduit.file.ChannelOptions;
import org.agrona.concurrent.AtomicBuffer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static io.conduit.file.ChannelFileDescriptor.MESSAGES_SENT_OFFSET;
import static io.conduit.file.ChannelFileDescriptor.SPACE_WAITERS_OFFSET;

/**
 * Child JVM for {@link FutexCrossProcessSpaceWakeTest}: the consumer of a channel its sender keeps full. It reads the
 * first message at once (that read attaches it as the consumer, which the sender waits for), then the rest
 * {@code step} at a time, each step only once the sender is asleep for space again: it has sent since the step before
 * and is announced on the space futex word. It then pauses {@link #PAUSE_NS}, so that the sender is in the kernel
 * when the step frees space. Once the sender has sent all {@code count}, it reads the rest. Every message must carry
 * the next sequence and its checksum.
 * <p>
 * Exit codes: 0 read all, in order; 4 the sender neither slept nor finished within the timeout; 5 a message out of
 * order or with a bad checksum (printed); 6 no message within the timeout.
 */
public final class SteppingReceiverProcess
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    /** From seeing the sender announced to freeing space: time for it to get into FUTEX_WAIT. */
    private static final long PAUSE_NS = TimeUnit.MILLISECONDS.toNanos(2);
    /** Between looks at the sender: parked, since the sender needs the CPU to fall asleep. */
    private static final long LOOK_PAUSE_NS = 20_000L;

    private SteppingReceiverProcess()
    {
    }

    /**
     * Launch this main in a child JVM with the test class path, its output to {@code log}.
     *
     * @param dir        channel directory.
     * @param name       channel name.
     * @param count      messages to read, sequences 0 to count - 1.
     * @param step       messages read per step.
     * @param log        where the child's stdout and stderr go.
     * @param jvmOptions options before the main class, such as system properties.
     * @return the running child.
     * @throws IOException if it cannot be started.
     */
    static Process start(
        final Path dir,
        final String name,
        final long count,
        final int step,
        final Path log,
        final String... jvmOptions)
        throws IOException
    {
        return TestJvm.start(SteppingReceiverProcess.class, log, jvmOptions,
            dir.toString(), name, String.valueOf(count), String.valueOf(step));
    }

    /**
     * @param args directory, channel name, count, step.
     * @throws Exception on any failure; the exit code tells the test.
     */
    public static void main(final String[] args) throws Exception
    {
        final Path dir = Path.of(args[0]);
        final long count = Long.parseLong(args[2]);
        final int step = Integer.parseInt(args[3]);
        try (Channel channel = Channel.open(dir, args[1], ChannelOptions.defaults()))
        {
            final AtomicBuffer header = channel.file().headerBuffer();
            final long[] next = {0};
            final MessageHandler handler = (typeId, buffer, offset, length) ->
            {
                final long sequence = buffer.getLong(offset);
                final long checksum = buffer.getLong(offset + 8);
                if (next[0] != sequence || sequence * 0x9E3779B97F4A7C15L != checksum)
                {
                    System.out.println("expected message " + next[0] + ", read sequence=" + sequence + " checksum=" +
                        checksum);
                    System.exit(5);
                }
                next[0]++;
            };
            receive(channel, handler, 1);
            long sentAtStep = 0;
            while (next[0] < count)
            {
                final long sent = awaitSenderAsleep(header, sentAtStep, count);
                if (sent < count)
                {
                    LockSupport.parkNanos(PAUSE_NS);
                    sentAtStep = sent;
                }
                receive(channel, handler, step);
            }
        }
    }

    /**
     * Wait until the sender has sent since {@code sentAtStep} and is announced on the space word, or has sent all.
     * The sender's wake from the sleep before withdrew its announce before the send counted, so an announce seen
     * after a count above {@code sentAtStep} is a new sleep, on a full ring.
     *
     * @return the messages sent then.
     */
    private static long awaitSenderAsleep(final AtomicBuffer header, final long sentAtStep, final long count)
    {
        final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
        while (true)
        {
            final long sent = header.getLongVolatile(MESSAGES_SENT_OFFSET);
            if (count == sent || (sent > sentAtStep && header.getIntVolatile(SPACE_WAITERS_OFFSET) > 0))
            {
                return sent;
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                System.out.println("sender neither asleep nor done: sent=" + sent + " sentAtStep=" + sentAtStep);
                System.exit(4);
            }
            LockSupport.parkNanos(LOOK_PAUSE_NS);
        }
    }

    private static void receive(final Channel channel, final MessageHandler handler, final int limit)
    {
        if (0 == channel.receive(handler, limit, TIMEOUT_NS))
        {
            System.out.println("no message within " + TIMEOUT_NS + " ns");
            System.exit(6);
        }
    }
}
