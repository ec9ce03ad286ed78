package io.conduit.perf.jmh.ring;

import io.conduit.perf.jmh.PairedRuns;
import io.conduit.ring.RecordDescriptor;
import io.conduit.ring.SpscRing;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.PrintStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Which regime a two-thread ring runs in, outside JMH: each system in turn moves 32-byte messages between two pinned
 * threads, each in a tight loop, for a window; every round also measures the line ping-pong floor and how fast the
 * same two CPUs hand over a block of lines at once. perf/README.md ("What bounds the rings, again") has what it showed.
 * <p>
 * Systems:
 * <ul>
 *     <li>{@code line-ring}: the least a ring of 64-byte records can do, in this class: the producer stores a
 *     32-byte body and then the record's position in its first word, the consumer polls that word, sums the body's
 *     first word and stores its head (and publishes its count for the run) once per batch of up to {@value #BATCH}.
 *     No checks and no signal; not a ring to use, a yardstick. {@code line-ring-cleared}, {@code line-ring-tail} and
 *     {@code line-ring-cleared-tail} add Conduit's clearing ahead and its per-message tail and count stores
 *     ({@link LineRing});</li>
 *     <li>{@code conduit-spsc-lazy}, {@code agrona-o2o-lazy}, {@code aeron-ipc-lazy} (any byte ring of
 *     {@link RingFixture}, with {@value #LAZY_SUFFIX} added): the ring whose consumer reads only once
 *     {@value #LAZY_BYTES} bytes are queued, then drains it: throughput bought with latency, the regime of a consumer
 *     that reads in batches well behind its producer, the same for every ring;</li>
 *     <li>any system {@link RingFixture} knows ({@code conduit-spsc}, {@code agrona-o2o}, {@code aeron-ipc}, ...),
 *     offered and read as {@link RingThroughputBenchmark} does, without JMH's call per operation.</li>
 * </ul>
 * Each window ends with the check that nothing was lost, read twice or changed: {@link RingFixture#checkDelivered()},
 * or, for {@code line-ring}, the consumer's count and sum of sequence numbers against the producer's count. A thread
 * that fails stops the other, and the window fails with its exception rather than wait for it.
 * <p>
 * Usage: {@code RingRegimes [--systems a,b,...] [--rounds N] [--window-ms M] [--lazy-bytes B]} ({@code B} the lazy
 * consumer's threshold, {@value #LAZY_BYTES} by default); the fixtures' capacity as {@link RingFixture#capacity()},
 * the yardstick's always {@value #CAPACITY}; CPUs as {@link ThreadAffinity#CPUS_PROP_NAME} says. Not a JMH benchmark:
 * a window's rate is messages read over wall time, one figure per window; each round runs every system once, in an
 * order reversed every other round, so that each round's figures share the host's mode and none always runs last.
 */
public final class RingRegimes
{
    static final String LINE_RING = "line-ring";
    static final String LAZY_SUFFIX = "-lazy";
    static final String CONDUIT_LAZY = "conduit-spsc" + LAZY_SUFFIX;
    static final List<String> OPTIONS = List.of("--systems", "--rounds", "--window-ms", "--lazy-bytes");
    static final int BATCH = RingThroughputBenchmark.BATCH;
    static final int LAZY_BYTES = 64 * 1024;
    static final int CAPACITY = RingFixture.DEFAULT_CAPACITY;
    static final int LINES_PER_BLOCK = 1024;

    private static final long JOIN_TIMEOUT_MS = 10_000;
    private static final int LINE = 64;
    private static final int RECORD = 64;
    private static final int CONTROL_LINE = 128;

    private RingRegimes()
    {
    }

    /**
     * @param args {@code --systems}, {@code --rounds}, {@code --window-ms}, {@code --lazy-bytes}, each optional.
     * @throws Exception if a system cannot be opened, a thread fails or a window's delivery check fails.
     */
    public static void main(final String[] args) throws Exception
    {
        run(args, System.out);
    }

    static void run(final String[] args, final PrintStream out) throws Exception
    {
        List<String> systems = List.of(LINE_RING, "conduit-spsc", CONDUIT_LAZY, "agrona-o2o", "aeron-ipc");
        int rounds = 6;
        long windowMs = 400;
        int lazyBytes = LAZY_BYTES;
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            if (!OPTIONS.contains(arg))
            {
                throw new IllegalArgumentException(
                    "unknown option " + arg + ": expected " + String.join(", ", OPTIONS));
            }
            if (i + 1 >= args.length)
            {
                throw new IllegalArgumentException(arg + ": expected a value after it");
            }
            final String value = args[++i];
            if ("--systems".equals(arg))
            {
                systems = new ArrayList<>();
                for (final String system : value.split(","))
                {
                    systems.add(system.trim());
                }
            }
            else
            {
                final int n = (int)Math.min(Integer.MAX_VALUE, InstructionLoop.positive(arg, value, 1));
                switch (arg)
                {
                    case "--rounds" -> rounds = n;
                    case "--window-ms" -> windowMs = n;
                    default -> lazyBytes = n;
                }
            }
        }
        final int[] cpus = ThreadAffinity.cpus();
        final boolean named = ThreadAffinity.isRequested();
        for (final String system : systems)
        {
            window(system, 100, cpus, named, lazyBytes); // warm-up, and refuses an unknown system before any round
        }
        final double[][] rates = new double[systems.size()][rounds];
        for (int round = 0; round < rounds; round++)
        {
            final double[] floor = floor(cpus, named);
            final StringBuilder line = new StringBuilder(String.format(
                Locale.ROOT, "round %d: floor %.0f ns, block %.1f ns/line", round + 1, floor[0], floor[1]));
            // the order reversed every other round, as PairedRuns does, so no system always runs last in a round
            for (int k = 0; k < systems.size(); k++)
            {
                final int s = 0 == (round & 1) ? k : systems.size() - 1 - k;
                rates[s][round] = window(systems.get(s), windowMs, cpus, named, lazyBytes);
                line.append(String.format(Locale.ROOT, ", %s %.1f", systems.get(s), rates[s][round]));
            }
            out.println(line);
        }
        for (int s = 0; s < systems.size(); s++)
        {
            out.printf(Locale.ROOT, "%-18s median %.1f msgs/us over %d rounds%n", systems.get(s), median(rates[s]),
                rounds);
        }
    }

    private static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        return PairedRuns.median(sorted);
    }

    /**
     * One window of one system: messages read per microsecond, after the delivery check passed.
     */
    static double window(final String system, final long windowMs, final int[] cpus, final boolean named)
        throws Exception
    {
        return window(system, windowMs, cpus, named, LAZY_BYTES);
    }

    static double window(
        final String system, final long windowMs, final int[] cpus, final boolean named, final int lazyBytes)
        throws Exception
    {
        final Pair pair = system.startsWith(LINE_RING) ? lineRing(system) : new FixturePair(system, lazyBytes);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Runnable stopBoth = () ->
        {
            pair.stop = true;
            pair.producerDone = true;
        };
        Thread producer = null;
        Thread consumer = null;
        try
        {
            producer = start(pair::produce, cpus, named, 0, "producer", failure, stopBoth);
            consumer = start(pair::consume, cpus, named, 1, "consumer", failure, stopBoth);
            // a thread that fails ends the wait at once: the window then fails with its exception
            sleepUnlessFailed(Math.min(200, windowMs), failure);
            final long read0 = pair.delivered();
            final long start = System.nanoTime();
            sleepUnlessFailed(windowMs, failure);
            final long read1 = pair.delivered();
            final long end = System.nanoTime();
            pair.stop = true;
            joinOrFail(producer, system, "producer");
            pair.producerDone = true; // every record is published: the yardstick's consumer reads the rest, then stops
            joinOrFail(consumer, system, "consumer");
            final Throwable failed = failure.get();
            if (null != failed)
            {
                throw new IllegalStateException(system + ": a thread failed", failed);
            }
            pair.check();
            return (read1 - read0) * 1_000.0 / (end - start);
        }
        finally
        {
            stopBoth.run();
            // closing unmaps the ring: never under a thread still running, which would fault the JVM
            if (stopped(producer) && stopped(consumer))
            {
                pair.close();
            }
        }
    }

    private static void joinOrFail(final Thread thread, final String system, final String who)
        throws InterruptedException
    {
        thread.join(JOIN_TIMEOUT_MS);
        if (thread.isAlive())
        {
            throw new IllegalStateException(system + ": the " + who + " did not stop within " + JOIN_TIMEOUT_MS +
                " ms of being told to");
        }
    }

    private static boolean stopped(final Thread thread) throws InterruptedException
    {
        if (null == thread)
        {
            return true;
        }
        thread.join(JOIN_TIMEOUT_MS);
        return !thread.isAlive();
    }

    private static Pair lineRing(final String system)
    {
        switch (system)
        {
            case LINE_RING:
                return new LineRing(false, false);
            case LINE_RING + "-cleared":
                return new LineRing(true, false);
            case LINE_RING + "-tail":
                return new LineRing(false, true);
            case LINE_RING + "-cleared-tail":
                return new LineRing(true, true);
            default:
                throw new IllegalArgumentException("system=" + system + ": expected " + LINE_RING + ", " + LINE_RING +
                    "-cleared, " + LINE_RING + "-tail or " + LINE_RING + "-cleared-tail");
        }
    }

    private static Thread start(
        final Runnable body,
        final int[] cpus,
        final boolean named,
        final int side,
        final String who,
        final AtomicReference<Throwable> failure,
        final Runnable onFailure)
    {
        final Thread thread = new Thread(
            () ->
            {
                try
                {
                    if (null != cpus)
                    {
                        ThreadAffinity.pinOrWarn(cpus[side], named, who);
                    }
                    body.run();
                }
                catch (final Throwable ex)
                {
                    if (!failure.compareAndSet(null, ex))
                    {
                        failure.get().addSuppressed(ex);
                    }
                    onFailure.run(); // the other side stops too, rather than wait for this one for good
                }
            },
            "regimes-" + who);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void sleepUnlessFailed(final long ms, final AtomicReference<Throwable> failure)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        while (null == failure.get() && deadlineNs - System.nanoTime() > 0)
        {
            Thread.sleep(1);
        }
    }

    /**
     * The floor of this round: the line ping-pong's median round trip, and the time per line for one side to write a
     * block of {@value #LINES_PER_BLOCK} lines and the other to read them and write each back, both ways counted.
     *
     * @return {round trip ns, block ns per line}.
     */
    static double[] floor(final int[] cpus, final boolean named) throws Exception
    {
        final double roundTrip = LinePingPong.medianRoundTripNs(cpus, named, 5, 20_000, 1);
        final UnsafeBuffer block = alignedBuffer(LINES_PER_BLOCK * LINE + 2 * CONTROL_LINE);
        final int flag = LINES_PER_BLOCK * LINE + CONTROL_LINE;
        final int passes = 200;
        final long[] elapsed = new long[1];
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread writer = start(
            () ->
            {
                long start = 0;
                for (int pass = 1; pass <= passes; pass++)
                {
                    if (pass == passes / 2)
                    {
                        start = System.nanoTime(); // the first half warms up
                    }
                    for (int i = 0; i < LINES_PER_BLOCK; i++)
                    {
                        block.putLong(i * LINE, pass);
                    }
                    block.putLongVolatile(flag, 2L * pass - 1);
                    await(block, flag, 2L * pass, failure);
                }
                elapsed[0] = System.nanoTime() - start;
            },
            cpus, named, 0, "block-writer", failure, () -> { });
        final Thread reader = start(
            () ->
            {
                for (int pass = 1; pass <= passes; pass++)
                {
                    await(block, flag, 2L * pass - 1, failure);
                    long sum = 0;
                    for (int i = 0; i < LINES_PER_BLOCK; i++)
                    {
                        sum += block.getLong(i * LINE);
                    }
                    if (sum != (long)pass * LINES_PER_BLOCK)
                    {
                        throw new IllegalStateException("block pass " + pass + ": sum=" + sum + " expected=" +
                            (long)pass * LINES_PER_BLOCK);
                    }
                    for (int i = 0; i < LINES_PER_BLOCK; i++)
                    {
                        block.putLong(i * LINE + Long.BYTES, sum);
                    }
                    block.putLongVolatile(flag, 2L * pass);
                }
            },
            cpus, named, 1, "block-reader", failure, () -> { });
        writer.join();
        reader.join();
        final Throwable failed = failure.get();
        if (null != failed)
        {
            throw new IllegalStateException("block floor: a thread failed", failed);
        }
        final int timedPasses = passes - passes / 2 + 1;
        return new double[]{roundTrip, elapsed[0] / (double)timedPasses / LINES_PER_BLOCK};
    }

    /**
     * Wait for the other side of the block floor to store {@code expected}, failing if it has failed or if this one
     * answer takes {@link #JOIN_TIMEOUT_MS}, so that neither side waits for good on the other. The clock is read only
     * once a wait has spun a while, so a prompt answer is timed as without it.
     */
    private static void await(
        final UnsafeBuffer block,
        final int flag,
        final long expected,
        final AtomicReference<Throwable> failure)
    {
        int spins = 0;
        long deadlineNs = 0;
        while (block.getLongVolatile(flag) != expected)
        {
            if (0 == (++spins & 255))
            {
                if (null != failure.get())
                {
                    throw new IllegalStateException("block floor: the other side failed");
                }
                final long nowNs = System.nanoTime();
                if (0 == deadlineNs)
                {
                    deadlineNs = nowNs + TimeUnit.MILLISECONDS.toNanos(JOIN_TIMEOUT_MS);
                }
                else if (nowNs > deadlineNs)
                {
                    throw new IllegalStateException("block floor: no answer within " + JOIN_TIMEOUT_MS + " ms");
                }
            }
            Thread.onSpinWait();
        }
    }

    static UnsafeBuffer alignedBuffer(final int length)
    {
        return new UnsafeBuffer(BufferUtil.allocateDirectAligned(BitUtil.align(length, LINE), LINE));
    }

    /**
     * A producer and a consumer over one system, for one window.
     */
    abstract static class Pair implements AutoCloseable
    {
        private static final VarHandle COUNTS = MethodHandles.arrayElementVarHandle(long[].class);
        private static final int DELIVERED = 16; // the middle of its own array, 128 bytes from either end

        /**
         * Set by the run: the producer stops, and so does a fixture's consumer, whose check reads what is left; the
         * yardstick's consumer reads on until {@link #producerDone} is set too and a scan finds nothing.
         */
        volatile boolean stop;
        /** Set by the run once the producer has stopped, so that every record the consumer could read is there. */
        volatile boolean producerDone;
        private final long[] counts = new long[2 * DELIVERED + 1];

        /**
         * @param read messages read so far; a release store (a plain store on x86), on a line no other field shares.
         */
        final void delivered(final long read)
        {
            COUNTS.setRelease(counts, DELIVERED, read);
        }

        /**
         * @return messages read so far, as the consumer last published them.
         */
        final long delivered()
        {
            return (long)COUNTS.getAcquire(counts, DELIVERED);
        }

        abstract void produce();

        abstract void consume();

        abstract void check();

        @Override
        public void close()
        {
        }
    }

    /**
     * {@link RingFixture}'s offer and read, or, for a system named with {@value #LAZY_SUFFIX}, a consumer that waits
     * for {@code --lazy-bytes} queued bytes ({@value #LAZY_BYTES} by default) before it reads.
     */
    static final class FixturePair extends Pair
    {
        private final RingFixture fixture;
        private final boolean lazy;
        private final int lazyBytes;

        FixturePair(final String system, final int lazyBytes) throws Exception
        {
            lazy = system.endsWith(LAZY_SUFFIX);
            this.lazyBytes = lazyBytes;
            fixture = new RingFixture(
                lazy ? system.substring(0, system.length() - LAZY_SUFFIX.length()) : system, RingFixture.capacity());
        }

        @Override
        void produce()
        {
            final RingFixture fixture = this.fixture;
            while (!stop)
            {
                for (int i = 0; i < 64; i++)
                {
                    fixture.offer();
                }
            }
        }

        @Override
        void consume()
        {
            final RingFixture fixture = this.fixture;
            long read = 0;
            while (!stop)
            {
                if (lazy)
                {
                    if (fixture.queuedBytes() < lazyBytes)
                    {
                        Thread.onSpinWait();
                        continue;
                    }
                    int n;
                    while (!stop && (n = fixture.read(BATCH)) > 0)
                    {
                        read += n;
                        delivered(read);
                    }
                }
                else
                {
                    for (int i = 0; i < 64; i++)
                    {
                        read += fixture.read(BATCH);
                    }
                    delivered(read);
                }
            }
        }

        @Override
        void check()
        {
            fixture.checkDelivered();
        }

        @Override
        public void close()
        {
            fixture.close();
        }
    }

    /**
     * The yardstick: 64-byte records, published by a store of their first word last. Plain, each record's first word
     * holds its position plus one, which no earlier lap's word equals, so nothing is cleared. With {@code cleared}, the
     * first word is 1 and the producer clears the first word of each line ahead of it instead, as Conduit's SPSC
     * producer does with its default maximum message: {@value #CLEAR_SPAN} bytes at a time, as far ahead of its tail as
     * that producer's reserve (34,824 bytes at this capacity, taken down to a whole line). With {@code tail}, the
     * producer also stores its tail on a line of its own before each record's body and its count of messages after the
     * record, as Conduit's claim and commit do; the consumer never reads them. The consumer publishes its count once a
     * batch with a release store, and the producer reads {@link #stop} once every 64 messages: no other check, counter
     * or signal.
     */
    static final class LineRing extends Pair
    {
        static final int CLEAR_SPAN = SpscRing.ZERO_AHEAD_LENGTH;
        // SpscRing's reserve for its default maximum message (capacity / 8 - 8), 34,824 bytes at 256 KiB, down to a
        // whole line (34,816): the yardstick clears and counts in lines
        static final int CLEAR_AHEAD = Math.min(CAPACITY >> 2, RecordDescriptor.alignedLength(CAPACITY / 8) +
            RecordDescriptor.HEADER_LENGTH + SpscRing.ZERO_AHEAD_LENGTH) & -RECORD;
        private static final int HEAD = CAPACITY;
        private static final int SENT = CAPACITY + CONTROL_LINE;
        private static final int SUM = CAPACITY + 2 * CONTROL_LINE;
        private static final int READ = SUM + Long.BYTES;
        private static final int TAIL = CAPACITY + 3 * CONTROL_LINE;

        final UnsafeBuffer ring = alignedBuffer(CAPACITY + 4 * CONTROL_LINE);
        private final boolean cleared;
        private final boolean tail;

        LineRing(final boolean cleared, final boolean tail)
        {
            this.cleared = cleared;
            this.tail = tail;
            ring.putLongVolatile(SENT, -1); // until the producer has stopped and stored its count
            ring.putLongVolatile(READ, -1); // until the consumer has
        }

        @Override
        void produce()
        {
            final UnsafeBuffer ring = this.ring;
            final boolean cleared = this.cleared;
            final boolean storeTail = this.tail;
            final int mask = CAPACITY - 1;
            // cleared: the lines up to CLEAR_AHEAD + CLEAR_SPAN past the tail must be free before they are cleared
            final int reserve = cleared ? CLEAR_AHEAD + CLEAR_SPAN : 0;
            long tail = 0;
            long headCache = 0;
            long sent = 0;
            try
            {
                while (!stop)
                {
                    for (int i = 0; i < 64; i++)
                    {
                        if (tail + RECORD + reserve - headCache > CAPACITY)
                        {
                            headCache = ring.getLongVolatile(HEAD);
                            if (tail + RECORD + reserve - headCache > CAPACITY)
                            {
                                continue;
                            }
                        }
                        final int offset = (int)tail & mask;
                        final long newTail = tail + RECORD;
                        if (storeTail)
                        {
                            ring.putLongOrdered(TAIL, newTail); // as a claim: the extent first
                        }
                        ring.putLong(offset + 8, sent);
                        ring.putLong(offset + 16, 1);
                        ring.putLong(offset + 24, 2);
                        ring.putLong(offset + 32, 3);
                        ring.putLongOrdered(offset, cleared ? 1 : tail + 1); // release: publishes the body
                        if (cleared && 0 == ((int)newTail & (CLEAR_SPAN - 1)))
                        {
                            final long from = newTail + CLEAR_AHEAD;
                            for (long position = from; position < from + CLEAR_SPAN; position += RECORD)
                            {
                                ring.putLong((int)position & mask, 0L);
                            }
                        }
                        tail = newTail;
                        sent++;
                        if (storeTail)
                        {
                            ring.putLongOrdered(TAIL + Long.BYTES, sent); // as a commit: the count last
                        }
                    }
                }
            }
            finally
            {
                ring.putLongVolatile(SENT, sent);
            }
        }

        @Override
        void consume()
        {
            final UnsafeBuffer ring = this.ring;
            final boolean cleared = this.cleared;
            final int mask = CAPACITY - 1;
            long head = 0;
            long read = 0;
            long sum = 0;
            try
            {
                while (true)
                {
                    // read before the scan: a scan that finds nothing after both are seen has seen every record
                    final boolean producerStopped = stop && producerDone;
                    long position = head;
                    int n = 0;
                    while (n < BATCH && ring.getLongVolatile((int)position & mask) == (cleared ? 1 : position + 1))
                    {
                        sum += ring.getLong(((int)position & mask) + 8);
                        position += RECORD;
                        n++;
                    }
                    if (0 != n)
                    {
                        head = position;
                        read += n;
                        ring.putLongOrdered(HEAD, head); // release: frees the records read
                        delivered(read);
                    }
                    else if (producerStopped)
                    {
                        break; // the producer had stopped before this scan, which found nothing more to read
                    }
                }
            }
            finally
            {
                ring.putLongVolatile(SUM, sum);
                ring.putLongVolatile(READ, read);
            }
        }

        @Override
        void check()
        {
            final long sent = ring.getLongVolatile(SENT);
            final long read = ring.getLongVolatile(READ);
            if (sent < 0 || read != sent)
            {
                throw new IllegalStateException(
                    LINE_RING + ": the consumer read " + read + " messages, the producer sent " + sent);
            }
            final long expected = sent * (sent - 1) / 2;
            final long sum = ring.getLongVolatile(SUM);
            if (sum != expected)
            {
                throw new IllegalStateException(LINE_RING + ": the consumer's sum of sequence numbers=" + sum +
                    " expected=" + expected + " for " + sent + " messages sent");
            }
        }

        /**
         * For tests: as if the consumer had lost one message, the one numbered {@code sequence}.
         */
        void loseForTest(final long sequence)
        {
            ring.putLongVolatile(READ, ring.getLongVolatile(READ) - 1);
            ring.putLongVolatile(SUM, ring.getLongVolatile(SUM) - sequence);
        }

        /**
         * For tests: as if the consumer had read one message's sequence number changed by {@code delta}.
         */
        void changeForTest(final long delta)
        {
            ring.putLongVolatile(SUM, ring.getLongVolatile(SUM) + delta);
        }
    }
}
