package io.conduit.perf.harness;

import io.conduit.Channel;
import io.conduit.MessageHandler;
import io.conduit.file.ChannelFile;
import io.conduit.file.ChannelOptions;
import io.conduit.ring.RingKind;
import io.conduit.wait.CpuClock;
import org.agrona.IoUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.io.File;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * The idle receivers the harness's idle mode compares: one thread waiting for messages that never come, in a child
 * JVM of its own. The parent creates the file in a directory of its own; the child opens it, waits for a settling
 * period (unmeasured: JNA loading, the first futex sleep, JIT compilation of the loop), then waits for the window
 * and reads its CPU clocks at both ends of it.
 * <p>
 * Threading: {@link #prepare} on the parent's thread, {@link #measure} on the child's waiting thread.
 */
enum IdleMode
{
    /** Conduit's blocking receive with no spins and no yields: {@code FUTEX_WAIT} at once, bounded per sleep. */
    FUTEX("conduit-futex", "Channel.receive(handler, 1, timeout) on an SPSC channel with spins=0, yields=0: " +
        "FUTEX_WAIT at once, each sleep bounded by maxSleepNs=" + Channel.DEFAULT_MAX_SLEEP_NS / 1_000_000 + " ms"),
    /** The same with a 10 s bound on each sleep: how much of the futex receiver's CPU its own timer wake-ups are. */
    FUTEX_LONG("conduit-futex-10s", "the same with maxSleepNs=10 s (Channel.open's last argument): a tenth of " +
        "the default's timer wake-ups"),
    /** Agrona's back-off strategy with its defaults, polling an empty Agrona ring. */
    BACKOFF("agrona-backoff", "Agrona BackoffIdleStrategy with its defaults (10 spins, 5 yields, then park from " +
        "1 us doubling to 1 ms) around OneToOneRingBuffer.read of an empty ring"),
    /** Busy-spin, polling an empty Conduit channel. */
    BUSY_SPIN("busy-spin", "Agrona BusySpinIdleStrategy (Thread.onSpinWait) around Channel.poll of an empty " +
        "SPSC channel");

    /** Index of the waiting thread's CPU time in what {@link #measure} returns. */
    static final int THREAD_CPU = 0;
    /** Index of the process's CPU time. */
    static final int PROCESS_CPU = 1;
    /** Index of the wall time. */
    static final int WALL = 2;

    private static final String CHANNEL_NAME = "idle";
    private static final String AGRONA_FILE_NAME = "idle-agrona";
    private static final int READ_LIMIT = 16;
    private static final long LONG_MAX_SLEEP_NS = 10_000_000_000L;

    private final String label;
    private final String description;

    IdleMode(final String label, final String description)
    {
        this.label = label;
        this.description = description;
    }

    /**
     * @return the name in tables and in the child protocol.
     */
    String label()
    {
        return label;
    }

    /**
     * @return what the waiting thread does, for the report.
     */
    String description()
    {
        return description;
    }

    /**
     * @param label a {@link #label()}.
     * @return its mode.
     * @throws IllegalArgumentException for an unknown label.
     */
    static IdleMode of(final String label)
    {
        for (final IdleMode mode : values())
        {
            if (mode.label.equals(label))
            {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown idle mode=" + label);
    }

    /**
     * Parent: create the file the child will wait on.
     *
     * @param directory a fresh directory for this mode.
     * @throws IOException if the file cannot be created.
     */
    void prepare(final Path directory) throws IOException
    {
        if (BACKOFF == this)
        {
            final long fileLength = Harness.RING_CAPACITY + RingBufferDescriptor.TRAILER_LENGTH;
            IoUtil.unmap(IoUtil.mapNewFile(directory.resolve(AGRONA_FILE_NAME).toFile(), fileLength));
        }
        else
        {
            ChannelFile.create(directory, CHANNEL_NAME, ChannelOptions.defaults()
                .kind(RingKind.SPSC).capacity(Harness.RING_CAPACITY)).close();
        }
    }

    /**
     * Child: wait on the calling thread for {@code settleNs} unmeasured, then for {@code windowNs} measured.
     *
     * @param directory where {@link #prepare} created the file.
     * @param settleNs unmeasured wait first.
     * @param windowNs measured wait.
     * @return the waiting thread's CPU time, the process's CPU time and the wall time over the window, in ns, at
     * {@link #THREAD_CPU}, {@link #PROCESS_CPU} and {@link #WALL}; a CPU time is {@link CpuClock#UNAVAILABLE} if it
     * cannot be measured.
     * @throws IOException if the file cannot be opened.
     */
    long[] measure(final Path directory, final long settleNs, final long windowNs) throws IOException
    {
        clocks(); // load the clocks' classes and the thread's timespec before the window
        switch (this)
        {
            case FUTEX:
                return receive(directory, settleNs, windowNs, Channel.DEFAULT_MAX_SLEEP_NS);
            case FUTEX_LONG:
                return receive(directory, settleNs, windowNs, LONG_MAX_SLEEP_NS);
            case BACKOFF:
                return pollAgrona(directory, settleNs, windowNs);
            case BUSY_SPIN:
                return pollChannel(directory, settleNs, windowNs);
            default:
                throw new IllegalStateException(String.valueOf(this));
        }
    }

    private static long[] receive(
        final Path directory, final long settleNs, final long windowNs, final long maxSleepNs) throws IOException
    {
        final ChannelOptions expected = ChannelOptions.defaults().kind(RingKind.SPSC);
        try (Channel channel = Channel.open(directory, CHANNEL_NAME, expected, 0, 0, maxSleepNs))
        {
            final Unexpected handler = new Unexpected();
            receiveUntil(channel, handler, System.nanoTime() + settleNs);
            final long[] start = clocks();
            receiveUntil(channel, handler, start[WALL] + windowNs);
            return since(start);
        }
    }

    private static void receiveUntil(final Channel channel, final Unexpected handler, final long deadlineNs)
    {
        long remainingNs;
        while ((remainingNs = deadlineNs - System.nanoTime()) > 0)
        {
            channel.receive(handler, 1, remainingNs);
        }
    }

    private static long[] pollChannel(final Path directory, final long settleNs, final long windowNs)
        throws IOException
    {
        final ChannelOptions expected = ChannelOptions.defaults().kind(RingKind.SPSC);
        try (Channel channel = Channel.open(directory, CHANNEL_NAME, expected))
        {
            final Unexpected handler = new Unexpected();
            final IdleStrategy idle = new BusySpinIdleStrategy();
            final long settleDeadlineNs = System.nanoTime() + settleNs;
            while (System.nanoTime() - settleDeadlineNs < 0)
            {
                idle.idle(channel.poll(handler, READ_LIMIT));
            }
            final long[] start = clocks();
            final long deadlineNs = start[WALL] + windowNs;
            while (System.nanoTime() - deadlineNs < 0)
            {
                idle.idle(channel.poll(handler, READ_LIMIT));
            }
            return since(start);
        }
    }

    private static long[] pollAgrona(final Path directory, final long settleNs, final long windowNs)
    {
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(new File(directory.toFile(), AGRONA_FILE_NAME),
            AGRONA_FILE_NAME);
        try
        {
            final RingBuffer ring = new OneToOneRingBuffer(new UnsafeBuffer(mapped));
            final Unexpected handler = new Unexpected();
            final IdleStrategy idle = new BackoffIdleStrategy();
            final long settleDeadlineNs = System.nanoTime() + settleNs;
            while (System.nanoTime() - settleDeadlineNs < 0)
            {
                idle.idle(ring.read(handler, READ_LIMIT));
            }
            final long[] start = clocks();
            final long deadlineNs = start[WALL] + windowNs;
            while (System.nanoTime() - deadlineNs < 0)
            {
                idle.idle(ring.read(handler, READ_LIMIT));
            }
            return since(start);
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
    }

    private static long[] clocks()
    {
        final long[] clocks = new long[3];
        clocks[THREAD_CPU] = CpuClock.currentThreadCpuTimeNs();
        clocks[PROCESS_CPU] = CpuClock.processCpuTimeNs();
        clocks[WALL] = System.nanoTime();
        return clocks;
    }

    private static long[] since(final long[] start)
    {
        final long[] end = clocks();
        final long[] elapsed = new long[3];
        for (int i = 0; i < elapsed.length; i++)
        {
            elapsed[i] = CpuClock.UNAVAILABLE == start[i] || CpuClock.UNAVAILABLE == end[i] ?
                CpuClock.UNAVAILABLE : end[i] - start[i];
        }
        return elapsed;
    }

    /**
     * Nothing is sent in idle mode: a message is a broken run.
     */
    static final class Unexpected implements MessageHandler, org.agrona.concurrent.MessageHandler
    {
        @Override
        public void onMessage(final int typeId, final MutableDirectBuffer buffer, final int offset, final int length)
        {
            throw new IllegalStateException("idle mode: a message arrived, typeId=" + typeId + " length=" + length);
        }
    }
}
