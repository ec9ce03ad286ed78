package io.conduit;

import io.conduit.file.ChannelOptions;
import io.conduit.wait.FutexWaitSet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Child JVM for {@link ChannelSetTest#shouldWakeTheFallbackWaitSetForEverySendToAnyMember}, run with the futex
 * disabled: the consumer of {@code lanes} channels ({@code fallback0}, {@code fallback1}, ...) through one
 * {@link ChannelSet}, which has no {@code futex_waitv} then and parks and polls. Each channel is opened with no spins
 * and no yields, so every receive that finds nothing sleeps at once, up to {@link #MAX_SLEEP_NS} a sleep. A message
 * on lane {@code l} has type id {@code l + 1} and carries its sequence on that lane and a checksum; every lane's
 * sequences must arrive once and in order.
 * <p>
 * Exit codes: 0 read all, in order; 3 the wait set is not on its fallback; 5 a message out of order, on no lane or
 * with a bad checksum (printed); 6 no message within {@link #RECEIVE_TIMEOUT_NS}.
 */
public final class FallbackSetReceiverProcess
{
    /** A sleep's bound: far above what the fallback's parks take to see a send, so a missed one shows. */
    static final long MAX_SLEEP_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long RECEIVE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    private FallbackSetReceiverProcess()
    {
    }

    /**
     * Launch this main in a child JVM with the test class path and the futex disabled, its output to {@code log}.
     *
     * @param dir     channel directory, where the channels already exist.
     * @param lanes   channels.
     * @param perLane messages to read on each, sequences 0 to perLane - 1.
     * @param log     where the child's stdout and stderr go.
     * @return the running child.
     * @throws IOException if it cannot be started.
     */
    static Process start(final Path dir, final int lanes, final long perLane, final Path log) throws IOException
    {
        return TestJvm.start(FallbackSetReceiverProcess.class, log,
            new String[] {"-Dconduit.wait.futex.disabled=true"},
            dir.toString(), String.valueOf(lanes), String.valueOf(perLane));
    }

    /**
     * @param args directory, lanes, messages per lane.
     * @throws Exception on any failure; the exit code tells the test.
     */
    public static void main(final String[] args) throws Exception
    {
        if (FutexWaitSet.isNative())
        {
            System.out.println("the wait set uses futex_waitv: the futex was not disabled");
            System.exit(3);
        }
        final Path dir = Path.of(args[0]);
        final int lanes = Integer.parseInt(args[1]);
        final long perLane = Long.parseLong(args[2]);
        final Channel[] channels = new Channel[lanes];
        try
        {
            for (int i = 0; i < lanes; i++)
            {
                channels[i] = Channel.open(dir, laneName(i), ChannelOptions.defaults(), 0, 0, MAX_SLEEP_NS);
            }
            final ChannelSet set = new ChannelSet(channels);
            final long[] next = new long[lanes];
            final MessageHandler handler = (typeId, buffer, offset, length) ->
            {
                final int lane = typeId - 1;
                final long sequence = buffer.getLong(offset);
                if (lane < 0 || lane >= lanes || next[lane] != sequence ||
                    checksum(lane, sequence) != buffer.getLong(offset + Long.BYTES))
                {
                    System.out.println("lane " + lane + ": expected message " +
                        (lane >= 0 && lane < lanes ? next[lane] : -1) + ", read sequence=" + sequence +
                        " checksum=" + buffer.getLong(offset + Long.BYTES));
                    System.exit(5);
                }
                next[lane]++;
            };
            for (long read = 0; read < lanes * perLane; )
            {
                final int n = set.receive(handler, 64, RECEIVE_TIMEOUT_NS);
                if (0 == n)
                {
                    System.out.println("no message within " + RECEIVE_TIMEOUT_NS + " ns after " + read);
                    System.exit(6);
                }
                read += n;
            }
        }
        finally
        {
            for (final Channel channel : channels)
            {
                if (null != channel)
                {
                    channel.close();
                }
            }
        }
    }

    static String laneName(final int lane)
    {
        return "fallback" + lane;
    }

    static long checksum(final int lane, final long sequence)
    {
        return (sequence * 0x9E3779B97F4A7C15L) ^ lane;
    }
}
