package io.conduit.samples;

import io.conduit.MessageHandler;
import io.conduit.file.ChannelFile;
import io.conduit.file.ChannelOptions;
import io.conduit.ring.Ring;
import io.conduit.ring.RingKind;
import org.HdrHistogram.Histogram;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Round trips between two processes over two SPSC channels; prints the percentiles. This process pings: it creates
 * both channels and starts the answering process ({@link Pong}) itself, so one command runs both. When it exits, on
 * a failure or Ctrl-C too, it kills that process if still running and deletes the channels.
 */
public final class PingPong
{
    /** Longest wait for the first reply, which waits for the pong process's JVM to start. */
    static final long FIRST_REPLY_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    /** Longest wait for any later reply. */
    static final long REPLY_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    /**
     * @param args none.
     * @throws Exception if a channel cannot be created, a reply is not the one expected, or the pong process fails.
     */
    public static void main(final String[] args) throws Exception
    {
        final Path dir = SampleConfiguration.directory();
        if (0 != args.length)
        {
            throw new IllegalArgumentException("usage: PingPong (no arguments); got " + List.of(args));
        }
        // fresh names, created exclusively: never the channels an earlier run with this pid left (pid 1 in a container)
        final String suffix = ProcessHandle.current().pid() + "-" +
            Long.toHexString(ThreadLocalRandom.current().nextLong());
        // at exit, on a failure or Ctrl-C too; not a file there already, another run's, which create below refuses
        SampleConfiguration.deleteOnExitIfNew(ChannelFile.pathOf(dir, "ping-" + suffix));
        SampleConfiguration.deleteOnExitIfNew(ChannelFile.pathOf(dir, "pong-" + suffix));
        // registered before the pong exists: at exit, on a failure or Ctrl-C too, the pong is killed if still running
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
            ProcessHandle.current().children().forEach(ProcessHandle::destroyForcibly)));
        final ChannelOptions options = ChannelOptions.defaults().kind(RingKind.SPSC).capacity(64 * 1024);
        final int length = SampleConfiguration.LENGTH;
        // tag::quickstart[]
        try (ChannelFile ping = ChannelFile.create(dir, "ping-" + suffix, options);
            ChannelFile pong = ChannelFile.create(dir, "pong-" + suffix, options))
        {
            final Process child = SampleConfiguration.javaProcess(Pong.class, suffix).inheritIO().start();
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
                for (int idle = 1; 0 == in.read(onReply, 1); idle++)
                {
                    if (0 == (idle & 0xF_FFFF)) // now and then: a pong that failed, or a lost message, never answers
                    {
                        checkAnswerable(child, sequence, sentNs);
                    }
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
            System.out.printf("conduit SPSC ping-pong, %d B, %d round trips (ns): p50=%d p90=%d p99=%d p99.9=%d " +
                "p99.99=%d max=%d%n", length, histogram.getTotalCount(), histogram.getValueAtPercentile(50),
                histogram.getValueAtPercentile(90), histogram.getValueAtPercentile(99),
                histogram.getValueAtPercentile(99.9), histogram.getValueAtPercentile(99.99), histogram.getMaxValue());
            if (!child.waitFor(10, TimeUnit.SECONDS) || 0 != child.exitValue())
            {
                throw new IllegalStateException("pong process " + (child.isAlive() ?
                    "still running 10 s after the last reply" : "exited with " + child.exitValue()));
            }
        }
    }

    /**
     * While waiting for a reply: fail if the pong process exited, or if the reply is overdue (a lost ping or reply
     * would otherwise keep both processes waiting for ever), rather than wait on.
     *
     * @param child the pong process.
     * @param sequence the ping awaiting its reply.
     * @param sentNs when it was sent.
     * @throws IllegalStateException if the pong exited or the reply is overdue.
     */
    static void checkAnswerable(final Process child, final long sequence, final long sentNs)
    {
        if (!child.isAlive())
        {
            throw new IllegalStateException("pong process exited with " + child.exitValue());
        }
        // the first reply waits for the pong's JVM to start
        final long timeoutNs = 0 == sequence ? FIRST_REPLY_TIMEOUT_NS : REPLY_TIMEOUT_NS;
        if (System.nanoTime() - sentNs > timeoutNs)
        {
            throw new IllegalStateException("no reply to ping sequence=" + sequence + " in " +
                TimeUnit.NANOSECONDS.toSeconds(timeoutNs) + " s, the pong process still running: a message was lost");
        }
    }
}
