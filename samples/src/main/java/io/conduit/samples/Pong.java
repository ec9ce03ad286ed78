package io.conduit.samples;

import io.conduit.MessageHandler;
import io.conduit.file.ChannelFile;
import io.conduit.ring.Ring;

import java.nio.file.Path;
import java.util.List;

/**
 * The answering process of {@link PingPong}, which starts it: it opens the two channels the ping created and sends
 * back every message, after checking that the message carries the next sequence number.
 */
public final class Pong
{
    /**
     * @param args the suffix of the ping's channel names.
     * @throws Exception if a channel cannot be opened, a message is not the one expected, or the ping process is gone.
     */
    public static void main(final String[] args) throws Exception
    {
        final Path dir = SampleConfiguration.directory();
        if (1 != args.length)
        {
            throw new IllegalArgumentException("usage: Pong <suffix of the channel names>; got " + List.of(args));
        }
        final long count = SampleConfiguration.WARMUP + SampleConfiguration.MESSAGES;
        // the ping that started this very process, by pid and start instant: not whatever parent() is by now
        final ProcessHandle launcher = SampleConfiguration.launcher();
        try (ChannelFile ping = ChannelFile.open(dir, "ping-" + args[0]);
            ChannelFile pong = ChannelFile.open(dir, "pong-" + args[0]))
        {
            final Ring in = ping.ring();
            final Ring out = pong.ring();
            final long[] echoed = {0};
            final MessageHandler echo = (typeId, buffer, offset, length) -> // made once: none per message
            {
                if (echoed[0] != buffer.getLong(offset))
                {
                    throw new IllegalStateException("ping message: sequence=" + buffer.getLong(offset) + " expected=" +
                        echoed[0] + " file=" + ping.path());
                }
                while (!out.offer(typeId, buffer, offset, length))
                {
                    Thread.onSpinWait();
                }
                echoed[0]++;
            };
            long idlePolls = 0;
            while (echoed[0] < count)
            {
                if (0 == in.read(echo, 16) && 0 == (++idlePolls & 0xF_FFFF) && !launcher.isAlive())
                {
                    // the ping process died mid-run: do not spin on for ever on channels nobody will write
                    throw new IllegalStateException("pong: the ping process " + launcher.pid() + " is gone after " +
                        echoed[0] + " of " + count + " messages");
                }
            }
        }
    }
}
