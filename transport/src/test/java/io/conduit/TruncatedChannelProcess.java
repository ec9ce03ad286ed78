package io.conduit;

import io.conduit.file.ChannelOptions;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Child JVM for {@link TruncatedChannelTest}: opens a channel the test created and either receives or sends
 * {@code count} sequenced, checksummed messages, then goes on until the test truncates the file under it, and reports
 * what the truncation did.
 * <ul>
 *     <li>{@code receive}: reads, checking each message's sequence and checksum, then keeps receiving; the test
 *     truncates the file once all {@code count} are read.</li>
 *     <li>{@code send}: sends {@code count}, waits for the test's go file (the test creates it once it has read them
 *     all and truncated the file), then sends on.</li>
 * </ul>
 * Output: {@code truncated read=N sent=N message=...} and exit code 0 when a {@link TruncatedChannelException} ended
 * the run; exit 2 on any other error (printed), 3 if nothing faulted within the deadline, 4 on a message out of
 * order or damaged. A JVM that crashed on the fault exits otherwise (134, with an hs_err file).
 */
public final class TruncatedChannelProcess
{
    static final int MESSAGE_LENGTH = 16;
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(60);
    private static final long[] SENT = new long[1];
    private static final long[] AFTER = new long[1];

    private TruncatedChannelProcess()
    {
    }

    /**
     * @param sequence a message's sequence number.
     * @return the checksum sent with it.
     */
    static long checksum(final long sequence)
    {
        final long mixed = (sequence ^ (sequence >>> 29)) * 0x9E3779B97F4A7C15L;
        return mixed ^ (mixed >>> 32);
    }

    /**
     * @param args directory, channel name, {@code receive} or {@code send}, count, go file (send only).
     */
    public static void main(final String[] args)
    {
        final Path directory = Path.of(args[0]);
        final String name = args[1];
        final boolean receive = "receive".equals(args[2]);
        final long count = Long.parseLong(args[3]);
        final long[] read = new long[1];
        // 1 ms sleeps at most: a sleeper wakes on its own and touches the ring again
        final long maxSleepNs = TimeUnit.MILLISECONDS.toNanos(1);
        Channel channel = null;
        try
        {
            channel = Channel.open(directory, name, ChannelOptions.defaults(), 100, 10, maxSleepNs);
            run(channel, receive, count, args, read);
            System.out.println("no fault within the deadline: read=" + read[0] + " sent=" + SENT[0]);
            System.out.flush();
            Runtime.getRuntime().halt(3);
        }
        catch (final Throwable ex)
        {
            String via = "channel";
            Throwable reported = ex;
            if (ex instanceof InternalError && null != channel)
            {
                // the fault surfaced outside the channel's calls (compiled code): ask the file, as a user would
                via = "checkLength";
                try
                {
                    channel.file().checkLength();
                }
                catch (final Throwable checked)
                {
                    reported = checked;
                }
            }
            if (reported instanceof TruncatedChannelException)
            {
                System.out.println("truncated read=" + read[0] + " sent=" + SENT[0] + " after=" + AFTER[0] + " via=" +
                    via + " cause=" + reported.getCause() + " message=" + reported.getMessage());
                try
                {
                    channel.close(); // must not crash; it may throw the fault still pending on JDK 17
                    System.out.println("closed");
                }
                catch (final InternalError | TruncatedChannelException closeEx)
                {
                    System.out.println("closed, throwing " + closeEx);
                }
                System.out.flush();
                Runtime.getRuntime().halt(0);
            }
            System.out.println("other error: read=" + read[0] + " sent=" + SENT[0]);
            ex.printStackTrace(System.out);
            System.out.flush();
            Runtime.getRuntime().halt(2);
        }
    }

    private static void run(
        final Channel channel, final boolean receive, final long count, final String[] args, final long[] read)
        throws Exception
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        if (receive)
        {
            final MessageHandler handler = (typeId, buffer, offset, length) ->
            {
                if (read[0] >= count)
                {
                    // after the truncation: on JDK 17 a read between a fault and its error may hand over a record
                    // made of whatever the faulted loads returned; counted apart, never checked
                    AFTER[0]++;
                    return;
                }
                final long sequence = buffer.getLong(offset);
                if (length != MESSAGE_LENGTH || sequence != read[0] ||
                    buffer.getLong(offset + Long.BYTES) != checksum(sequence))
                {
                    System.out.println("damaged or out of order: expected sequence=" + read[0] + " got=" +
                        sequence + " length=" + length);
                    System.out.flush();
                    Runtime.getRuntime().halt(4);
                }
                read[0]++;
            };
            while (System.nanoTime() < deadlineNs)
            {
                channel.receive(handler, 64, TimeUnit.MILLISECONDS.toNanos(100));
            }
            return;
        }

        final UnsafeBuffer message = new UnsafeBuffer(new byte[MESSAGE_LENGTH]);
        final Path go = Path.of(args[4]);
        while (SENT[0] < count && System.nanoTime() < deadlineNs)
        {
            message.putLong(0, SENT[0]);
            message.putLong(Long.BYTES, checksum(SENT[0]));
            if (channel.send(1, message, 0, MESSAGE_LENGTH, TimeUnit.SECONDS.toNanos(10)))
            {
                SENT[0]++;
            }
        }
        while (!Files.exists(go))
        {
            if (System.nanoTime() > deadlineNs)
            {
                System.out.println("no go file: " + go);
                System.out.flush();
                Runtime.getRuntime().halt(3);
            }
            Thread.onSpinWait();
        }
        while (System.nanoTime() < deadlineNs)
        {
            message.putLong(0, SENT[0]);
            message.putLong(Long.BYTES, checksum(SENT[0]));
            if (channel.send(1, message, 0, MESSAGE_LENGTH, TimeUnit.MILLISECONDS.toNanos(100)))
            {
                SENT[0]++;
            }
        }
    }
}
