package io.conduit;

import io.conduit.file.ChannelOptions;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.RandomAccessFile;
import java.nio.file.Path;

/**
 * Child JVM for {@link TruncatedChannelTest}: takes both roles of a new channel, truncates the channel's file to
 * nothing under its own mapping, closes the channel, then runs a loop long enough for a fault the JVM raises late
 * (JDK 17) to surface. Prints {@code clean} (exit 0) when nothing surfaced; {@code late <error>} (exit 2) when an
 * error did, as it would if close had touched the file; anything else is a failure (exit 1).
 */
public final class HeadlessCloseProcess
{
    private static long sink;

    private HeadlessCloseProcess()
    {
    }

    /**
     * @param args directory, channel name.
     */
    public static void main(final String[] args)
    {
        try
        {
            final Channel channel = Channel.open(Path.of(args[0]), args[1], ChannelOptions.defaults().capacity(65536));
            if (!channel.offer(1, new UnsafeBuffer(new byte[8]), 0, 8) ||
                1 != channel.poll((typeId, buffer, offset, length) -> { }, 1))
            {
                System.out.println("no message");
                System.exit(1);
            }
            try (RandomAccessFile file = new RandomAccessFile(channel.file().path().toFile(), "rw"))
            {
                file.setLength(0);
            }
            channel.close();
        }
        catch (final Throwable ex)
        {
            ex.printStackTrace(System.out);
            System.out.flush();
            Runtime.getRuntime().halt(1);
        }
        try
        {
            // safepoint polls and calls into the runtime: where JDK 17 raises a fault it noted earlier
            for (int i = 0; i < 2_000; i++)
            {
                sink += new byte[1 + (i & 1023)].length;
                Thread.yield();
            }
            System.gc();
            System.out.println("clean");
        }
        catch (final Throwable ex)
        {
            System.out.println("late " + ex);
            System.out.flush();
            Runtime.getRuntime().halt(2);
        }
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }
}
