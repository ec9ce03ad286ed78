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
 * Round trips between two processes over two SPSC channels; prints the percentiles. This process pings and
 * starts the ponging process itself, so one command runs both.
 */
public final class PingPong
{
    private static volatile Runnable channelsToDelete = () -> { };

    /**
     * @param args empty to ping (and start the pong process); {@code pong} to answer.
     * @throws Exception if a channel cannot be opened or the child fails.
     */
    public static void main(final String[] args) throws Exception
    {
        SampleConfiguration.check();
        final boolean isPong = args.length > 0;
        if (isPong && (2 != args.length || !"pong".equals(args[0])))
        {
            throw new IllegalArgumentException("usage: PingPong (no arguments: ping, and start the pong process), " +
                "or PingPong pong <suffix>; got " + List.of(args));
        }
        final Path dir = SampleConfiguration.directory();
        final String suffix = isPong ? args[1] : String.valueOf(ProcessHandle.current().pid());
        final ChannelOptions options = ChannelOptions.defaults().kind(RingKind.SPSC).capacity(64 * 1024);
        channelsToDelete = () -> deleteChannels(dir, suffix);
        // tag::quickstart[]
        try (ChannelFile ping = ChannelFile.openOrCreate(dir, "ping-" + suffix, options);
            ChannelFile pong = ChannelFile.openOrCreate(dir, "pong-" + suffix, options))
        {
            if (isPong)
            {
                echo(ping.ring(), pong.ring(), SampleConfiguration.WARMUP + SampleConfiguration.MESSAGES);
                return;
            }
            final Process child = new ProcessBuilder(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                "-Dconduit.samples.messages=" + SampleConfiguration.MESSAGES,
                "-Dconduit.samples.warmup=" + SampleConfiguration.WARMUP,
                "-Dconduit.dir=" + dir, PingPong.class.getName(), "pong", suffix)).inheritIO().start();
            child.onExit().thenAccept(PingPong::exitIfFailed); // else a failed pong leaves this process waiting
            final Histogram histogram = new Histogram(3_600_000_000_000L, 3);
            final Ring out = ping.ring();
            final Ring in = pong.ring();
            final long[] received = new long[1];
            // made once, before the loop: nothing on the path of a round trip allocates
            final MessageHandler onReply = (typeId, buffer, at, bodyLength) -> received[0] = buffer.getLong(at);
            final int length = SampleConfiguration.LENGTH;
            for (int i = 0; i < SampleConfiguration.WARMUP + SampleConfiguration.MESSAGES; i++)
            {
                final long sentNs = System.nanoTime();
                int offset;
                while ((offset = out.tryClaim(1, length)) < 0)
                {
                    Thread.onSpinWait();
                }
                // the send time, then zeros: claimed bytes hold an earlier lap's data until all are written
                out.buffer().putLong(offset, sentNs);
                out.buffer().setMemory(offset + Long.BYTES, length - Long.BYTES, (byte)0);
                out.commit(offset);
                while (0 == in.read(onReply, 1))
                {
                    Thread.onSpinWait();
                }
                if (i >= SampleConfiguration.WARMUP)
                {
                    histogram.recordValue(System.nanoTime() - received[0]);
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

    private static void echo(final Ring in, final Ring out, final int count)
    {
        final ProcessHandle parent = ProcessHandle.current().parent().orElseThrow(
            () -> new IllegalStateException("pong: no ping process (parent) to answer"));
        final int[] echoed = {0};
        final MessageHandler echo = (typeId, buffer, offset, length) -> // made once: none per poll
        {
            while (!out.offer(typeId, buffer, offset, length))
            {
                Thread.onSpinWait();
            }
            echoed[0]++;
        };
        long idlePolls = 0;
        while (echoed[0] < count)
        {
            final int read = in.read(echo, 16);
            if (0 == read && 0 == (++idlePolls & 0xF_FFFF) && !parent.isAlive())
            {
                // the ping process died mid-run: do not spin on for ever on files nobody will write
                throw new IllegalStateException("pong: the ping process " + parent.pid() + " is gone after " +
                    echoed[0] + " of " + count + " messages");
            }
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
