package io.conduit.samples;

import io.conduit.MessageHandler;
import io.conduit.file.ChannelFile;
import io.conduit.file.ChannelOptions;
import io.conduit.ring.Ring;
import io.conduit.ring.RingKind;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Round trips between two processes over two SPSC channels; prints the percentiles. This process pings: it opens
 * both channels and starts the answering process ({@link Pong}) itself, so one command runs both.
 */
public final class PingPong
{
    private static volatile Runnable channelsToDelete = () -> { };

    /**
     * @param args none.
     * @throws Exception if a channel cannot be opened or created, a reply is not the one expected, or the pong process fails.
     */
    public static void main(final String[] args) throws Exception
    {
        final Path dir = SampleConfiguration.directory();
        if (0 != args.length)
        {
            throw new IllegalArgumentException("usage: PingPong (no arguments); got " + List.of(args));
        }
        final String suffix = String.valueOf(ProcessHandle.current().pid());
        final ChannelOptions options = ChannelOptions.defaults().kind(RingKind.SPSC).capacity(64 * 1024);
        final int length = SampleConfiguration.LENGTH;
        channelsToDelete = () -> deleteChannels(dir, suffix);
        // tag::quickstart[]
        try (ChannelFile ping = ChannelFile.openOrCreate(dir, "ping-" + suffix, options);
            ChannelFile pong = ChannelFile.openOrCreate(dir, "pong-" + suffix, options))
        {
            final Process child = SampleConfiguration.javaProcess(Pong.class, suffix).inheritIO().start();
            child.onExit().thenAccept(PingPong::exitIfFailed); // else a failed pong leaves this process waiting
            final Histogram histogram = new Histogram(3_600_000_000_000L, 3);
            final Ring out = ping.ring();
            final Ring in = pong.ring();
            final long[] reply = new long[1];
            // made once, before the loop: nothing on the path of a round trip allocates
            final MessageHandler onReply = (typeId, buffer, at, bodyLength) -> reply[0] = buffer.getLong(at);
            for (long sequence = 0; sequence < SampleConfiguration.WARMUP + SampleConfiguration.MESSAGES; sequence++)
            {
                final long sentNs = System.nanoTime();
                int offset;
                while ((offset = out.tryClaim(1, length)) < 0)
                {
                    Thread.onSpinWait();
                }
                // the sequence, then zeros: claimed bytes hold an earlier lap's data until all are written
                out.buffer().putLong(offset, sequence);
                out.buffer().setMemory(offset + Long.BYTES, length - Long.BYTES, (byte)0);
                out.commit(offset);
                while (0 == in.read(onReply, 1))
                {
                    Thread.onSpinWait();
                }
                if (sequence != reply[0])
                {
                    throw new IllegalStateException("pong reply: sequence=" + reply[0] + " expected=" + sequence +
                        " file=" + pong.path());
                }
                if (sequence >= SampleConfiguration.WARMUP)
                {
                    histogram.recordValue(System.nanoTime() - sentNs);
                }
            }
            // end::quickstart[]
            print(histogram, length);
            if (0 != child.waitFor())
            {
                throw new IllegalStateException("pong process exited with " + child.exitValue());
            }
        }
        finally
        {
            deleteChannels(dir, suffix);
        }
    }

    private static void deleteChannels(final Path dir, final String suffix)
    {
        try
        {
            ChannelFile.delete(dir, "ping-" + suffix);
            ChannelFile.delete(dir, "pong-" + suffix);
        }
        catch (final IOException ex)
        {
            System.err.println("could not delete the channel files: " + ex);
        }
    }

    /**
     * End this (ping) process if the pong process failed: its reply would never come.
     */
    private static void exitIfFailed(final Process pong)
    {
        if (0 != pong.exitValue())
        {
            System.err.println("pong process exited with " + pong.exitValue());
            channelsToDelete.run(); // exit skips main's finally
            System.exit(1);
        }
    }

    private static void print(final Histogram histogram, final int length)
    {
        System.out.printf("conduit SPSC ping-pong, %d B, %d round trips (ns): p50=%d p90=%d p99=%d p99.9=%d " +
            "p99.99=%d max=%d%n", length, histogram.getTotalCount(), histogram.getValueAtPercentile(50),
            histogram.getValueAtPercentile(90), histogram.getValueAtPercentile(99),
            histogram.getValueAtPercentile(99.9), histogram.getValueAtPercentile(99.99), histogram.getMaxValue());
    }
}
