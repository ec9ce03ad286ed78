package io.conduit;

import io.conduit.file.ChannelOptions;
import io.conduit.ring.RingKind;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Child JVM for {@link ChannelTest}: creates a channel of the given kind and receives from it, empty, which sleeps
 * until the test kills this process.
 */
public final class BlockedReceiverProcess
{
    /**
     * @param args directory, channel name, ring kind.
     * @throws Exception on any failure; the exit code tells the test.
     */
    public static void main(final String[] args) throws Exception
    {
        final ChannelOptions options = ChannelOptions.defaults().kind(RingKind.valueOf(args[2])).capacity(4096);
        try (Channel channel = Channel.open(Path.of(args[0]), args[1], options, 0, 0))
        {
            channel.receive((typeId, buffer, offset, length) -> { }, 10, TimeUnit.MINUTES.toNanos(10));
            System.exit(3); // the test kills this process before it gets here
        }
    }
}
