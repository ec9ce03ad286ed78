package io.conduit.perf.jmh.ring;

import io.conduit.MessageHandler;
import io.conduit.file.ChannelFile;
import io.conduit.file.ChannelOptions;
import io.conduit.ring.Ring;
import io.conduit.ring.RingKind;
import org.agrona.IoUtil;
import org.agrona.MutableDirectBuffer;
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
 * Agrona's OneToOneRingBuffer and ManyToOneRingBuffer over a mapped file of the same capacity, and JCTools' array
 * queues (object handoff, no bytes copied: an upper bound, not a like-for-like ring). The producer's score is
 * messages sent; the consumer's, messages read.
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

    /** The system under test. */
    @Param({"conduit-spsc", "agrona-o2o", "conduit-mpsc", "agrona-m2o", "jctools-spsc", "jctools-mpsc"})
    public String ring;

    private Path dir;
    private ChannelFile channel;
    private Ring conduit;
    private MappedByteBuffer mapped;
    private RingBuffer agrona;
    private Queue<Object> queue;
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
