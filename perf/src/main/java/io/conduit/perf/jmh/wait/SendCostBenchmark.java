package io.conduit.perf.jmh.wait;

import io.conduit.MessageHandler;
import io.conduit.file.ChannelFile;
import io.conduit.file.ChannelOptions;
import io.conduit.perf.harness.Harness;
import io.conduit.ring.AbstractRing;
import io.conduit.ring.Ring;
import io.conduit.ring.RingKind;
import org.agrona.IoUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What futex support costs a sender while nobody sleeps: offer + commit (then a read, to keep the ring from
 * filling) of a 32-byte message, with the wake-up check on ({@code withSignal}) and compiled out
 * ({@code withoutSignal}, a JVM started with {@code -Dconduit.ring.signal.disabled=true}). One thread, no sleeper:
 * the difference is the sender's load of the waiters count (and its fence where membarrier is missing).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SendCostBenchmark
{
    /** Ring kind. */
    @Param({"SPSC", "MPSC"})
    public String kind;

    private Path dir;
    private ChannelFile channel;
    private Ring ring;
    private final UnsafeBuffer source = new UnsafeBuffer(new byte[32]);
    private final Sink sink = new Sink();

    static final class Sink implements MessageHandler
    {
        long sum;

        @Override
        public void onMessage(final int typeId, final MutableDirectBuffer buffer, final int offset, final int length)
        {
            sum += length;
        }
    }

    /**
     * Create the channel.
     *
     * @throws Exception if it cannot be created.
     */
    @Setup(Level.Trial)
    public void setUp(final BenchmarkParams params) throws Exception
    {
        checkSignalSetting(params.getBenchmark(), Boolean.getBoolean(AbstractRing.SIGNAL_DISABLED_PROP_NAME));
        final RingKind ringKind = RingKind.valueOf(kind); // a bad kind fails before a directory is made
        dir = Files.createTempDirectory(Harness.baseDirectory(), "conduit-jmh");
        try
        {
            channel = ChannelFile.create(dir, "send", ChannelOptions.defaults().capacity(64 * 1024).kind(ringKind));
        }
        catch (final IOException | RuntimeException ex)
        {
            IoUtil.delete(dir.toFile(), true); // tearDown does not run when set-up fails
            throw ex;
        }
        ring = channel.ring();
    }

    /**
     * The two methods differ only by a JVM option of {@code withoutSignal}'s {@code @Fork}, which a
     * {@code -jvmArgsAppend} on the command line (or after {@code --} in {@link io.conduit.perf.jmh.PairedRuns})
     * replaces: the two would then run the same code and compare it with itself. A fork that did not get what its
     * method needs fails instead, saying how to pass it.
     *
     * @param benchmark the running benchmark's name.
     * @param signalDisabled whether this JVM has the wake-up check compiled out.
     * @throws IllegalStateException if that is not what the benchmark measures.
     */
    static void checkSignalSetting(final String benchmark, final boolean signalDisabled)
    {
        final boolean wantsDisabled = benchmark.endsWith(".withoutSignal");
        if (wantsDisabled != signalDisabled)
        {
            throw new IllegalStateException(benchmark + " ran with -D" + AbstractRing.SIGNAL_DISABLED_PROP_NAME + "=" +
                signalDisabled + ", expected " + wantsDisabled + ": a -jvmArgsAppend given on the command line " +
                "replaces the benchmarks' own; give other JVM options with -jvmArgsPrepend, which leaves them be");
        }
    }

    /**
     * Close and delete.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        channel.close();
        IoUtil.delete(dir.toFile(), true);
    }

    /**
     * Offer, commit (with the wake-up check) and read back one message.
     *
     * @return messages read, 1.
     */
    @Benchmark
    @Fork(value = 2, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"})
    public int withSignal()
    {
        ring.offer(1, source, 0, 32);
        return ring.read(sink, 1);
    }

    /**
     * Offer, commit (wake-up check compiled out) and read back one message.
     *
     * @return messages read, 1.
     */
    @Benchmark
    @Fork(value = 2, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
        "-Dconduit.ring.signal.disabled=true"})
    public int withoutSignal()
    {
        ring.offer(1, source, 0, 32);
        return ring.read(sink, 1);
    }
}
