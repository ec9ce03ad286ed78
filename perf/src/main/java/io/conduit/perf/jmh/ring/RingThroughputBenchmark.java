package io.conduit.perf.jmh.ring;

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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

import java.util.concurrent.TimeUnit;

/**
 * Offer + read throughput of 32-byte messages between two threads, Conduit's rings and the anchors in one run (see
 * {@link RingFixture}: Agrona's rings over a mapped file of the same capacity, Aeron IPC, JCTools' queues). The
 * producer's score is messages sent; the consumer's, messages read. {@link RingCostBenchmark} measures the same
 * rings on one thread, without the cache-line handoffs.
 * <p>
 * Two groups, the same consumer:
 * <ul>
 *     <li>{@code offerRead}: the producer offers one message per call, as a service sending as it goes does;</li>
 *     <li>{@code burst}: the producer offers {@link #BURST} messages per call, never pausing between them, so
 *     JMH's own cost per call is paid once per {@link #BURST} messages rather than per message.</li>
 * </ul>
 * The aux counters hint at which side was behind: in {@code offerRead} a failed offer is a call that found the ring
 * full (the consumer behind); in {@code burst} a full ring is retried at once, so failed offers count retries, not
 * time. Empty reads count polls that found the ring empty (the producer behind).
 * <p>
 * At the end of the trial the consumer's running sum of each message's first word must equal the messages the
 * producer sent ({@link RingFixture#checkDelivered()}), or the trial fails, naming the ring and both numbers.
 */
@State(Scope.Group)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class RingThroughputBenchmark extends RingTrial
{
    static final int BATCH = 256;
    static final int BURST = 32;

    /** The system under test. */
    @Param({"conduit-spsc", "agrona-o2o", "aeron-ipc", "conduit-mpsc", "agrona-m2o", "jctools-spsc", "jctools-mpsc"})
    public String ring;

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

    /**
     * The producer's thread, pinned to its CPU for the trial ({@link ThreadAffinity}).
     */
    @State(Scope.Thread)
    public static class ProducerThread
    {
        /**
         * Pin the calling thread, the producer's.
         *
         * @param params this thread's place in the group.
         */
        @Setup(Level.Trial)
        public void pin(final ThreadParams params)
        {
            pinSide(params, 0);
        }
    }

    /**
     * The consumer's thread, pinned to its CPU for the trial ({@link ThreadAffinity}).
     */
    @State(Scope.Thread)
    public static class ConsumerThread
    {
        /**
         * Pin the calling thread, the consumer's.
         *
         * @param params this thread's place in the group.
         */
        @Setup(Level.Trial)
        public void pin(final ThreadParams params)
        {
            pinSide(params, 1);
        }
    }

    /**
     * Pin the calling thread to its side's CPU, if pinning is on. CPUs named in {@link ThreadAffinity#CPUS_PROP_NAME}
     * are pinned to or the trial fails; by default a run that cannot be pinned (more than one thread a side, a kernel
     * that refuses) runs unpinned, with a warning.
     *
     * @param params this thread's place in the group.
     * @param side 0 for the producer, 1 for the consumer.
     */
    static void pinSide(final ThreadParams params, final int side)
    {
        final int[] cpus = ThreadAffinity.cpus();
        if (null == cpus)
        {
            return;
        }
        try
        {
            checkOneThreadASide(params);
        }
        catch (final IllegalStateException ex)
        {
            if (ThreadAffinity.isRequested())
            {
                throw ex;
            }
            System.err.println("WARNING: " + ex.getMessage() + "; running unpinned");
            return;
        }
        ThreadAffinity.pinOrWarn(cpus[side], ThreadAffinity.isRequested(), side == 0 ? "producer" : "consumer");
    }

    static void checkOneThreadASide(final ThreadParams params)
    {
        // the whole group, not this side: with -tg 1,2 the lone producer's own subgroup holds one thread too
        if (params.getGroupCount() != 1 || params.getGroupThreadCount() != 2)
        {
            throw new IllegalStateException(
                "pinning gives one producer and one consumer a CPU each, but this run has " +
                params.getGroupCount() + " group(s) of " + params.getGroupThreadCount() +
                " threads: run with -tg 1,1 and -t 2, or set " + ThreadAffinity.CPUS_PROP_NAME + "=none");
        }
    }

    @Override
    String ringName()
    {
        return ring;
    }

    /**
     * The consumer must have got every message the producer sent, each once and whole: its running sum of first words
     * against the producer's position, checked at the trial's end, so no cost is added to a message.
     */
    @Override
    void checkTrial()
    {
        fixture.checkDelivered();
    }

    /**
     * Send one message.
     *
     * @param misses counters.
     * @param thread the producer's thread, pinned.
     * @return whether it was sent.
     */
    @Benchmark
    @Group("offerRead")
    @GroupThreads(1)
    public boolean offer(final Misses misses, final ProducerThread thread)
    {
        final boolean sent = fixture.offer();
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
     * @param thread the consumer's thread, pinned.
     * @return messages read.
     */
    @Benchmark
    @Group("offerRead")
    @GroupThreads(1)
    public int read(final Misses misses, final Delivered delivered, final ConsumerThread thread)
    {
        final int read = fixture.read(BATCH);
        if (0 == read)
        {
            misses.emptyReads++;
        }
        delivered.messages += read;
        return read;
    }

    /**
     * Send {@link #BURST} messages, counting each one refused for back-pressure.
     *
     * @param misses counters.
     * @param thread the producer's thread, pinned.
     * @return messages sent.
     */
    @Benchmark
    @Group("burst")
    @GroupThreads(1)
    public int offerBurst(final Misses misses, final ProducerThread thread)
    {
        int sent = 0;
        for (int i = 0; i < BURST; i++)
        {
            if (offer(misses, thread))
            {
                sent++;
            }
        }
        return sent;
    }

    /**
     * Read a batch of messages, as {@link #read} does.
     *
     * @param misses counters.
     * @param delivered messages read.
     * @param thread the consumer's thread, pinned.
     * @return messages read.
     */
    @Benchmark
    @Group("burst")
    @GroupThreads(1)
    public int readBurst(final Misses misses, final Delivered delivered, final ConsumerThread thread)
    {
        return read(misses, delivered, thread);
    }
}
