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
        // one sleep for the whole test: a sleeper that re-announced every second could be killed between its
        // withdrawal and its next announcement, leaving the count at 0
        try (Channel channel = Channel.open(Path.of(args[0]), args[1], options, 0, 0, TimeUnit.MINUTES.toNanos(10)))
        {
            channel.receive((typeId, buffer, offset, length) -> { }, 10, TimeUnit.MINUTES.toNanos(10));
            System.exit(3); // the test kills this process before it gets here
        }
    }
}
