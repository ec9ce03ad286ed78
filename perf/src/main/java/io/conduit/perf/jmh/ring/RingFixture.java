package io.conduit.perf.jmh.ring;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.protocol.DataHeaderFlyweight;
import io.conduit.MessageHandler;
import io.conduit.file.ChannelFile;
import io.conduit.file.ChannelOptions;
import io.conduit.perf.harness.Harness;
import io.conduit.ring.RecordDescriptor;
import io.conduit.ring.Ring;
import io.conduit.ring.RingKind;
import org.agrona.BitUtil;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.jctools.queues.MpscArrayQueue;
import org.jctools.queues.SpscArrayQueue;

import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Queue;
import java.util.concurrent.TimeUnit;

/**
 * One ring under test and its anchors, built by name, for the ring benchmarks: Conduit's SPSC and MPSC rings in a
 * channel file, Agrona's OneToOneRingBuffer and ManyToOneRingBuffer over a mapped file of the same capacity, Aeron IPC
 * (an exclusive publication and a subscription on {@code aeron:ipc} through a media driver embedded in the
 * benchmark's JVM, with a larger window than the rings': {@link #DEFAULT_AERON_TERM_LENGTH}), and JCTools' array queues
 * (object handoff, no bytes copied: an upper bound, not a like-for-like ring). Everything lives in a fresh directory
 * in {@link Harness#baseDirectory()} ({@code /dev/shm} where it is writable), deleted on {@link #close()}.
 * <p>
 * Aeron's driver runs {@link ThreadingMode#SHARED} with a back-off idle strategy (10 spins, 5 yields, then parks from
 * 1 µs to 1 ms), so its thread, which cleans terms and moves the publisher's limit, takes CPU from the measured
 * threads only when it has work, as it would on a machine with no core to spare for it.
 * <p>
 * {@link #offer()} and {@link #read(int)} test the fields in a fixed order; a trial uses one system, so the branches
 * not taken cost nothing once compiled.
 */
final class RingFixture implements AutoCloseable
{
    static final int LENGTH = 32;
    /**
     * Aeron IPC's default term length: its publisher may run half a term ahead of the subscriber. With a term of twice
     * the rings' capacity Aeron managed under 2 msgs/us here (its driver thread, parked between duty cycles, moves the
     * publisher's limit too rarely), so it gets 16 MiB, a window of 8 MiB, 32 times the rings'. perf/README.md has
     * the figures of other terms and driver idle strategies, set by the two properties below.
     */
    static final int DEFAULT_AERON_TERM_LENGTH = 16 * 1024 * 1024;
    /** System property: Aeron IPC's term length in bytes, a power of two from 64 KiB to 1 GiB. */
    static final String AERON_TERM_LENGTH_PROP_NAME = "conduit.bench.aeron.termLength";
    /** The rings' capacity in bytes when {@link #CAPACITY_PROP_NAME} is not set: the same for every ring and anchor. */
    static final int DEFAULT_CAPACITY = 256 * 1024;
    /** System property: the rings' capacity in bytes, a power of two from 64 KiB to 256 MiB. */
    static final String CAPACITY_PROP_NAME = "conduit.bench.capacity";
    /**
     * System property: the idle strategy of Aeron's driver thread: {@code backoff} (the default: 10 spins, 5 yields,
     * then parks from 1 us to 1 ms), {@code yield} or {@code spin}.
     */
    static final String AERON_IDLE_PROP_NAME = "conduit.bench.aeron.idle";

    private final String name;
    private final int capacity;
    private final Path dir;
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
    /** Aeron's publication position once connected: where its first message starts. */
    private long aeronStartPosition;
    private final Object token = new Object();
    private final UnsafeBuffer source = new UnsafeBuffer(new byte[LENGTH]);
    /** The consumer's handler, whose sum a test may change to stand for a lost message. */
    final Counter counter = new Counter();

    /** Keeps the consumer's sum off the lines of the objects allocated next to it, which the producer reads. */
    abstract static class CounterPad
    {
        long p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
    }

    abstract static class CounterSum extends CounterPad
    {
        long sum;
    }

    /** The consumer's handler: adds up the first word of each message. Padded on both sides. */
    static final class Counter extends CounterSum implements MessageHandler, org.agrona.concurrent.MessageHandler
    {
        long p21, p22, p23, p24, p25, p26, p27, p28, p29, p30, p31, p32, p33, p34, p35;

        @Override
        public void onMessage(final int typeId, final MutableDirectBuffer buffer, final int offset, final int length)
        {
            sum += buffer.getLong(offset);
        }
    }

    /**
     * @param ring     one of {@code conduit-spsc}, {@code conduit-mpsc}, {@code agrona-o2o}, {@code agrona-m2o},
     *                 {@code aeron-ipc}, {@code jctools-spsc}, {@code jctools-mpsc}.
     * @param capacity ring capacity in bytes (a queue holds {@code capacity / 40} references, a 32-byte message and
     *                 Agrona's 8-byte header).
     * @throws Exception if a file cannot be created or mapped.
     */
    RingFixture(final String ring, final int capacity) throws Exception
    {
        source.putLong(0, 1L); // every message's first word is 1, so the consumer's sum counts what it read
        this.name = ring;
        this.capacity = capacity;
        dir = Files.createTempDirectory(Harness.baseDirectory(), "conduit-jmh");
        try
        {
            switch (ring)
            {
                case "conduit-spsc":
                case "conduit-mpsc":
                    channel = ChannelFile.create(dir, "bench", ChannelOptions.defaults().capacity(capacity)
                        .kind("conduit-spsc".equals(ring) ? RingKind.SPSC : RingKind.MPSC));
                    conduit = channel.ring();
                    break;
                case "agrona-o2o":
                case "agrona-m2o":
                    final int length = capacity + RingBufferDescriptor.TRAILER_LENGTH;
                    mapped = IoUtil.mapNewFile(dir.resolve("agrona").toFile(), length);
                    final UnsafeBuffer buffer = new UnsafeBuffer(mapped, 0, length);
                    agrona = "agrona-o2o".equals(ring) ?
                        new OneToOneRingBuffer(buffer) : new ManyToOneRingBuffer(buffer);
                    break;
                case "aeron-ipc":
                    openAeron();
                    break;
                case "jctools-spsc":
                    queue = new SpscArrayQueue<>(capacity / 40);
                    break;
                case "jctools-mpsc":
                    queue = new MpscArrayQueue<>(capacity / 40);
                    break;
                default:
                    throw new IllegalArgumentException("ring=" + ring + " expected one of conduit-spsc, " +
                        "conduit-mpsc, agrona-o2o, agrona-m2o, aeron-ipc, jctools-spsc, jctools-mpsc");
            }
        }
        catch (final Exception | Error ex)
        {
            try
            {
                close();
            }
            catch (final RuntimeException closeEx)
            {
                ex.addSuppressed(closeEx);
            }
            throw ex;
        }
    }

    private void openAeron()
    {
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(dir.resolve("aeron").toString())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(aeronIdleStrategy())
            .termBufferSparseFile(false)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .warnIfDirectoryExists(false)
            .printConfigurationOnStart(false));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        final String channel = "aeron:ipc?term-length=" + aeronTermLength();
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
        aeronStartPosition = publication.position();
    }

    static int aeronTermLength()
    {
        return powerOfTwoProperty(
            AERON_TERM_LENGTH_PROP_NAME, DEFAULT_AERON_TERM_LENGTH, 64 * 1024, 1024 * 1024 * 1024);
    }

    /**
     * @return the rings' capacity in bytes: {@value #CAPACITY_PROP_NAME}, else {@link #DEFAULT_CAPACITY}.
     */
    static int capacity()
    {
        return powerOfTwoProperty(CAPACITY_PROP_NAME, DEFAULT_CAPACITY, 64 * 1024, 256 * 1024 * 1024);
    }

    /**
     * A system property that must be a power of two in {@code [min, max]}, or the default if unset.
     *
     * @throws IllegalArgumentException naming the property and its value, if it is not.
     */
    static int powerOfTwoProperty(final String name, final int defaultValue, final int min, final int max)
    {
        final String value = System.getProperty(name);
        if (null == value)
        {
            return defaultValue;
        }
        try
        {
            final int parsed = Integer.parseInt(value.trim());
            if (parsed >= min && parsed <= max && BitUtil.isPowerOfTwo(parsed))
            {
                return parsed;
            }
        }
        catch (final NumberFormatException ignore)
        {
            // refused below, with the value
        }
        throw new IllegalArgumentException(name + "=" + value + ": expected a power of two from " + min + " to " +
            max + " (bytes)");
    }

    static IdleStrategy aeronIdleStrategy()
    {
        final String value = System.getProperty(AERON_IDLE_PROP_NAME, "backoff");
        switch (value.trim())
        {
            case "backoff":
                return new BackoffIdleStrategy(10, 5, 1_000, 1_000_000);
            case "yield":
                return new YieldingIdleStrategy();
            case "spin":
                return new BusySpinIdleStrategy();
            default:
                throw new IllegalArgumentException(AERON_IDLE_PROP_NAME + "=" + value +
                    ": expected backoff, yield or spin");
        }
    }

    /**
     * Send one 32-byte message.
     *
     * @return whether it was sent (false on back-pressure).
     */
    boolean offer()
    {
        if (null != conduit)
        {
            return conduit.offer(1, source, 0, LENGTH);
        }
        else if (null != agrona)
        {
            return agrona.write(1, source, 0, LENGTH);
        }
        else if (null != publication)
        {
            return publication.offer(source, 0, LENGTH) > 0;
        }
        return queue.offer(token);
    }

    /**
     * On one thread: offer {@code count} messages, then read them all back.
     *
     * @param count messages, at most what the ring holds.
     * @return messages read, {@code count}.
     * @throws IllegalStateException if an offer is refused or a read finds fewer messages than were offered.
     */
    int offerAndReadBack(final int count)
    {
        for (int i = 0; i < count; i++)
        {
            if (!offer())
            {
                throw new IllegalStateException("offer refused with " + i + " of " + count + " in the ring");
            }
        }
        int read = 0;
        int emptyReads = 0;
        while (read < count)
        {
            final int n = read(count - read);
            // Agrona's rings end a read at the buffer's end, so one read there may return only padding
            if (0 == n && ++emptyReads > 1)
            {
                throw new IllegalStateException("read found " + read + " of " + count + " messages offered");
            }
            read += n;
        }
        return read;
    }

    /**
     * Read up to {@code limit} messages.
     *
     * @param limit most messages to read.
     * @return messages read.
     */
    int read(final int limit)
    {
        if (null != conduit)
        {
            return conduit.read(counter, limit);
        }
        else if (null != agrona)
        {
            return agrona.read(counter, limit);
        }
        else if (null != subscription)
        {
            return subscription.poll(fragmentHandler, limit);
        }
        int n = 0;
        while (n < limit && null != queue.poll())
        {
            n++;
        }
        return n;
    }

    /**
     * @return bytes queued between the producer and the consumer (the consumer's thread only): in Conduit's and
     * Agrona's rings, records and padding; in Aeron IPC, the publication's position less the subscriber's image's.
     * @throws IllegalStateException if this fixture is a JCTools queue, which holds references, not bytes.
     */
    long queuedBytes()
    {
        if (null != conduit)
        {
            return conduit.size();
        }
        else if (null != agrona)
        {
            return agrona.size();
        }
        else if (null != subscription)
        {
            return publication.position() - subscription.imageAtIndex(0).position();
        }
        throw new IllegalStateException(name + ": a queue of references has no queued bytes");
    }

    /**
     * @return the consumer's running sum of each message's first word: the messages read, for every system but the
     * JCTools queues, which hand over a reference and no bytes.
     */
    long sum()
    {
        return counter.sum;
    }

    /**
     * At the end of a trial, with both threads stopped: read what is left in the ring, then check that the consumer's
     * sum of first words (1 in each message) is the number of messages the producer sent, found from the producer's
     * position: as many messages read as sent. Every message is alike, so a loss made up by a message read twice (or a
     * stale record read in its place) would pass: a count, not a check of each message (the rings' own tests check
     * sequences and checksums). Nothing is counted per message to do so.
     * The JCTools queues hand over a reference and no bytes: nothing to check.
     *
     * @throws IllegalStateException naming the system, the sum and the messages sent, if they differ.
     */
    void checkDelivered()
    {
        if (null != queue)
        {
            return;
        }
        final long sent = sent();
        int emptyReads = 0;
        // Agrona's rings end a read at the buffer's end, so a read there may find only padding
        while (counter.sum < sent && emptyReads < 3)
        {
            emptyReads = 0 == read(RingThroughputBenchmark.BATCH) ? emptyReads + 1 : 0;
        }
        if (counter.sum != sent)
        {
            throw new IllegalStateException(name + ": the consumer's sum of first words=" + counter.sum + " expected=" +
                sent + " (the messages the producer sent, from its position)");
        }
    }

    /**
     * @return the messages the producer has sent, from its position: every record of a message here has the same
     * aligned length, and a ring pads only the end of a lap too short for one (Agrona's 40-byte records in a power
     * of two; Conduit's 64 and Aeron's 64-byte frames fill a lap exactly).
     */
    private long sent()
    {
        if (null != conduit)
        {
            return recordsIn(conduit.tailPosition(), capacity,
                RecordDescriptor.alignedLength(RecordDescriptor.HEADER_LENGTH + LENGTH));
        }
        if (null != agrona)
        {
            return recordsIn(agrona.producerPosition(), capacity, BitUtil.align(
                org.agrona.concurrent.ringbuffer.RecordDescriptor.HEADER_LENGTH + LENGTH,
                org.agrona.concurrent.ringbuffer.RecordDescriptor.ALIGNMENT));
        }
        return recordsIn(publication.position() - aeronStartPosition, publication.termBufferLength(),
            BitUtil.align(DataHeaderFlyweight.HEADER_LENGTH + LENGTH, FrameDescriptor.FRAME_ALIGNMENT));
    }

    /**
     * @param position bytes the producer has moved on from the start.
     * @param lapLength bytes in one lap of the buffer.
     * @param recordLength bytes one message takes, aligned.
     * @return records of {@code recordLength} in {@code position}, when each lap holds as many as fit and is padded to
     * its end.
     */
    static long recordsIn(final long position, final int lapLength, final int recordLength)
    {
        return position / lapLength * (lapLength / recordLength) + position % lapLength / recordLength;
    }

    /**
     * Close everything and delete the directory.
     */
    @Override
    public void close()
    {
        try
        {
            CloseHelper.closeAll(channel, publication, subscription, aeron, driver);
        }
        finally
        {
            if (null != mapped)
            {
                IoUtil.unmap(mapped);
            }
            IoUtil.delete(dir.toFile(), true);
        }
    }
}
