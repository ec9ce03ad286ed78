package io.conduit;

import io.conduit.file.ChannelOptions;
import io.conduit.ring.RingKind;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Child JVM for {@link ChannelTest}: fills an MPSC channel, then sends once more, which sleeps for space until the
 * test kills this process.
 */
public final class BlockedSenderProcess
{
    /**
     * @param args directory, channel name, capacity.
     * @throws Exception on any failure; the exit code tells the test.
     */
    public static void main(final String[] args) throws Exception
    {
        final ChannelOptions options =
            ChannelOptions.defaults().kind(RingKind.MPSC).capacity(Integer.parseInt(args[2]));
        try (Channel channel = Channel.open(Path.of(args[0]), args[1], options, 0, 0))
        {
            final UnsafeBuffer message = new UnsafeBuffer(new byte[24]);
            while (channel.offer(1, message, 0, 24))
            {
                message.putLong(0, message.getLong(0) + 1);
            }
            channel.send(1, message, 0, 24, TimeUnit.MINUTES.toNanos(10));
            System.exit(3); // the test kills this process before it gets here
        }
    }
}
