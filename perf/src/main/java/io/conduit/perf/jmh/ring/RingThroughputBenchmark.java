package io.conduit.perf.jmh.ring;

import io.conduit.MessageHandler;
import io.conduit.file.ChannelFile;
import io.conduit.file.ChannelOptions;
import io.conduit.ring.Ring;
import io.conduit.ring.RingKind;
import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.jctools.queues.MpscArrayQueue;
import org.jctools.queues.SpscArrayQueue;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
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

import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Queue;
import java.util.concurrent.TimeUnit;

/**
 * Offer + read throughput of 32-byte messages between two threads, Conduit's rings and the anchors in one run:
 * Agrona's OneToOneRingBuffer and ManyToOneRingBuffer over a mapped file of the same capacity, Aeron IPC (an
 * exclusive publication and a subscription on {@code aeron:ipc} through a media driver embedded in the benchmark's
 * JVM, with a larger window than the rings': {@link #AERON_TERM_LENGTH}), and JCTools' array queues
 * (object handoff, no bytes copied: an upper bound, not a like-for-like ring). The producer's score is messages sent;
 * the consumer's, messages read.
 * <p>
 * Aeron's driver runs {@link ThreadingMode#SHARED} with a back-off idle strategy (10 spins, 5 yields, then parks from
 * 1 µs to 1 ms), so its thread, which cleans terms and moves the publisher's limit, takes CPU from the two measured
 * threads only when it has work, as it would on a machine with no core to spare for it.
 */
@State(Scope.Group)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class RingThroughputBenchmark
{
    static final int CAPACITY = 256 * 1024;
    static final int LENGTH = 32;
    static final int BATCH = 256;
    /**
     * Aeron IPC's term length: its publisher may run half a term ahead of the subscriber. With a term of twice the
     * rings' capacity Aeron managed under 2 msgs/us here (its driver thread, parked between duty cycles, moves the
     * publisher's limit too rarely), so it gets 16 MiB, a window of 8 MiB, 32 times the rings'.
     */
    static final int AERON_TERM_LENGTH = 16 * 1024 * 1024;

    /** The system under test. */
    @Param({"conduit-spsc", "agrona-o2o", "aeron-ipc", "conduit-mpsc", "agrona-m2o", "jctools-spsc", "jctools-mpsc"})
    public String ring;

    private Path dir;
    private ChannelFile channel;
    private Ring conduit;
    private MappedByteBuffer mapped;
    private RingBuffer agrona;
    private Queue<Object> queue;
    private MediaDriver driver;
    private Aeron aeron;
    private ExclusivePublication publication;
    private Subscription subscription;
    private FragmentHandler fragmentHandler;
    private final Object token = new Object();
    private final UnsafeBuffer source = new UnsafeBuffer(new byte[LENGTH]);
    private final Counter counter = new Counter();

    /**
     * Messages read: the figure to compare, reported as a rate.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Delivered
    {
        /** Messages read. */
        public long messages;
    }

    /**
     * Failed offers and empty reads, per invocation.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Misses
    {
        /** Offers refused for back-pressure. */
        public long failedOffers;
        /** Reads that found nothing. */
        public long emptyReads;
    }

    static final class Counter implements MessageHandler, org.agrona.concurrent.MessageHandler
    {
        long sum;

        @Override
        public void onMessage(final int typeId, final MutableDirectBuffer buffer, final int offset, final int length)
        {
            sum += buffer.getLong(offset);
        }
    }

    /**
     * Build the ring for this trial.
     *
     * @throws Exception if a file cannot be mapped.
     */
    @Setup(Level.Trial)
    public void setUp() throws Exception
    {
        dir = Files.createTempDirectory(Path.of(Files.isDirectory(Path.of("/dev/shm")) ? "/dev/shm" :
            System.getProperty("java.io.tmpdir")), "conduit-jmh");
        switch (ring)
        {
            case "conduit-spsc":
            case "conduit-mpsc":
                channel = ChannelFile.create(dir, "bench", ChannelOptions.defaults().capacity(CAPACITY)
                    .kind("conduit-spsc".equals(ring) ? RingKind.SPSC : RingKind.MPSC));
                conduit = channel.ring();
                break;
            case "agrona-o2o":
            case "agrona-m2o":
                final int length = CAPACITY + RingBufferDescriptor.TRAILER_LENGTH;
                mapped = IoUtil.mapNewFile(dir.resolve("agrona").toFile(), length);
                final UnsafeBuffer buffer = new UnsafeBuffer(mapped, 0, length);
                agrona = "agrona-o2o".equals(ring) ? new OneToOneRingBuffer(buffer) : new ManyToOneRingBuffer(buffer);
                break;
            case "aeron-ipc":
                openAeron();
                break;
            case "jctools-spsc":
                queue = new SpscArrayQueue<>(CAPACITY / 40);
                break;
            case "jctools-mpsc":
                queue = new MpscArrayQueue<>(CAPACITY / 40);
                break;
            default:
                throw new IllegalArgumentException("ring=" + ring);
        }
    }

    private void openAeron()
    {
        final String directory = dir.resolve("aeron").toString();
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(directory)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(10, 5, 1_000, 1_000_000))
            .termBufferSparseFile(false)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .warnIfDirectoryExists(false)
            .printConfigurationOnStart(false));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        final String channel = "aeron:ipc?term-length=" + AERON_TERM_LENGTH;
        subscription = aeron.addSubscription(channel, 1001);
        publication = aeron.addExclusivePublication(channel, 1001);
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!publication.isConnected() || !subscription.isConnected())
        {
            if (System.nanoTime() > deadlineNs)
            {
                throw new IllegalStateException("aeron-ipc: publication and subscription not connected in 10 s");
            }
            Thread.yield();
        }
        final Counter counter = this.counter;
        fragmentHandler = (buffer, offset, length, header) -> counter.sum += buffer.getLong(offset);
    }

    /**
     * Unmap and delete.
     *
     * @throws Exception if a file cannot be deleted.
     */
    @TearDown(Level.Trial)
    public void tearDown() throws Exception
    {
        if (null != channel)
        {
            channel.close();
        }
        if (null != mapped)
        {
            IoUtil.unmap(mapped);
        }
        CloseHelper.closeAll(publication, subscription, aeron, driver);
        IoUtil.delete(dir.toFile(), true);
    }

    /**
     * Send one message.
     *
     * @param misses counters.
     * @return whether it was sent.
     */
    @Benchmark
    @Group("offerRead")
    @GroupThreads(1)
    public boolean offer(final Misses misses)
    {
        final boolean sent;
        if (null != conduit)
        {
            sent = conduit.offer(1, source, 0, LENGTH);
        }
        else if (null != agrona)
        {
            sent = agrona.write(1, source, 0, LENGTH);
        }
        else if (null != publication)
        {
            sent = publication.offer(source, 0, LENGTH) > 0;
        }
        else
        {
            sent = queue.offer(token);
        }
        if (!sent)
        {
            misses.failedOffers++;
        }
        return sent;
    }

    /**
     * Read a batch of messages.
     *
     * @param misses counters.
     * @param delivered messages read.
     * @return messages read.
     */
    @Benchmark
    @Group("offerRead")
    @GroupThreads(1)
    public int read(final Misses misses, final Delivered delivered)
    {
        final int read;
        if (null != conduit)
        {
            read = conduit.read(counter, BATCH);
        }
        else if (null != agrona)
        {
            read = agrona.read(counter, BATCH);
        }
        else if (null != subscription)
        {
            read = subscription.poll(fragmentHandler, BATCH);
        }
        else
        {
            int n = 0;
            while (n < BATCH && null != queue.poll())
            {
                n++;
            }
            read = n;
        }
        if (0 == read)
        {
            misses.emptyReads++;
        }
        delivered.messages += read;
        return read;
    }
}
