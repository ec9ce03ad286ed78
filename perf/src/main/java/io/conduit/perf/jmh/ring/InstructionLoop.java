package io.conduit.perf.jmh.ring;

import io.conduit.perf.jmh.codec.SensorCodecLatencyBenchmark;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The hot loop of a benchmark on one thread, for counting the instructions it executes per message under
 * {@code valgrind --tool=callgrind} ({@code perf/icount.sh}): a count that does not move with the machine's load or
 * the host's placement of the vCPUs, unlike the time of a JMH fork. The count taken is the main thread's whole run,
 * start-up and compilation included; two runs of different lengths, subtracted, leave the loop's cost per message.
 * <ul>
 *     <li>{@code --ring NAME} (a {@link RingThroughputBenchmark} ring but {@code aeron-ipc}, whose publisher limit
 *     moves on its driver's thread, so that one thread alone finds its offers refused): offers a batch of 32-byte
 *     messages, then reads them all back, each batch on the one thread: {@link RingCostBenchmark#burst}'s loop
 *     ({@link RingFixture#offerAndReadBack}), with the batch given.</li>
 *     <li>{@code --codec PATH} ({@code sbe}, {@code raw-offer} or {@code raw}): {@link SensorCodecLatencyBenchmark}'s
 *     {@code sendAndRead}, as its benchmark calls it.</li>
 * </ul>
 * Other options: {@code --warmup N} messages before the measured ones (default 300,000), {@code --count N} measured
 * messages (default 1,000,000), {@code --batch N} messages per ring batch (default 32), {@code --settle-ms N} a pause
 * after the warm-up for compilations to end (default 3,000). It prints the measured messages and their time: a
 * number only for a glance, since under valgrind the time means nothing.
 */
public final class InstructionLoop
{
    static final int DEFAULT_WARMUP = 300_000;
    static final int DEFAULT_COUNT = 1_000_000;
    static final int DEFAULT_BATCH = 32;
    static final int DEFAULT_SETTLE_MS = 3_000;
    // a message takes a 64-byte line in a Conduit ring; half the ring leaves room for SPSC's cleared header slots
    // ahead and MPSC's clean granules behind
    static final int MAX_BATCH = RingFixture.DEFAULT_CAPACITY / 64 / 2;

    private InstructionLoop()
    {
    }

    /**
     * @param args as the class comment says.
     * @throws Exception if the ring or the channel file cannot be made.
     */
    public static void main(final String[] args) throws Exception
    {
        System.out.println(run(args));
    }

    /**
     * @param args as the class comment says.
     * @return the line {@link #main} prints.
     * @throws Exception if the ring or the channel file cannot be made.
     */
    static String run(final String[] args) throws Exception
    {
        String ring = null;
        String codec = null;
        long warmup = DEFAULT_WARMUP;
        long count = DEFAULT_COUNT;
        Integer batch = null; // null: not given
        long settleMs = DEFAULT_SETTLE_MS;
        for (int i = 0; i < args.length; i++)
        {
            final String option = args[i];
            if (i + 1 >= args.length)
            {
                throw new IllegalArgumentException(option + " expects a value: " + usage());
            }
            final String value = args[++i];
            switch (option)
            {
                case "--ring":
                    ring = value;
                    break;
                case "--codec":
                    codec = value;
                    break;
                case "--warmup":
                    warmup = positive(option, value, 0);
                    break;
                case "--count":
                    count = positive(option, value, 1);
                    break;
                case "--batch":
                    batch = (int)Math.min(Integer.MAX_VALUE, positive(option, value, 1));
                    break;
                case "--settle-ms":
                    settleMs = positive(option, value, 0);
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + option + ": " + usage());
            }
        }
        if ((null == ring) == (null == codec))
        {
            throw new IllegalArgumentException("give one of --ring and --codec: " + usage());
        }
        if (null != codec && null != batch)
        {
            throw new IllegalArgumentException("--batch applies to --ring only: " + usage());
        }
        return null != ring ? ringLoop(ring, warmup, count, null == batch ? DEFAULT_BATCH : batch, settleMs) :
            codecLoop(codec, warmup, count, settleMs);
    }

    private static String ringLoop(
        final String name, final long warmup, final long count, final int batch, final long settleMs) throws Exception
    {
        if ("aeron-ipc".equals(name))
        {
            throw new IllegalArgumentException("--ring=aeron-ipc cannot run on one thread: its publisher limit moves " +
                "on its media driver's thread");
        }
        if (batch > MAX_BATCH)
        {
            throw new IllegalArgumentException("--batch=" + batch + " expected at most " + MAX_BATCH +
                " (a batch must fit the ring)");
        }
        try (RingFixture fixture = new RingFixture(name, RingFixture.DEFAULT_CAPACITY))
        {
            ringMessages(fixture, warmup, batch);
            Thread.sleep(settleMs);
            final long startNs = System.nanoTime();
            ringMessages(fixture, count, batch);
            return line("ring " + name, count, System.nanoTime() - startNs);
        }
    }

    private static void ringMessages(final RingFixture fixture, final long messages, final int batch)
    {
        for (long sent = 0; sent < messages; sent += batch)
        {
            fixture.offerAndReadBack((int)Math.min(batch, messages - sent));
        }
    }

    private static String codecLoop(final String path, final long warmup, final long count, final long settleMs)
        throws Exception
    {
        final SensorCodecLatencyBenchmark benchmark = new SensorCodecLatencyBenchmark();
        benchmark.path = path;
        benchmark.setUp();
        try
        {
            long sum = 0;
            for (long i = 0; i < warmup; i++)
            {
                sum += benchmark.sendAndRead();
            }
            Thread.sleep(settleMs);
            final long startNs = System.nanoTime();
            for (long i = 0; i < count; i++)
            {
                sum += benchmark.sendAndRead();
            }
            final long elapsedNs = System.nanoTime() - startNs;
            return line("codec " + path, count, elapsedNs) + " (sum " + sum + ")";
        }
        finally
        {
            benchmark.tearDown(); // checks that every message sent was read, none rejected
        }
    }

    private static String line(final String what, final long count, final long elapsedNs)
    {
        return String.format(Locale.ROOT, "%s: %d messages in %.1f ms, %.1f ns/message", what, count,
            elapsedNs / (double)TimeUnit.MILLISECONDS.toNanos(1), elapsedNs / (double)count);
    }

    static long positive(final String option, final String value, final long least)
    {
        final long n;
        try
        {
            n = Long.parseLong(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(option + "=" + value + " expected a number >= " + least, ex);
        }
        if (n < least)
        {
            throw new IllegalArgumentException(option + "=" + value + " expected a number >= " + least);
        }
        return n;
    }

    private static String usage()
    {
        return "InstructionLoop (--ring NAME | --codec PATH) [--warmup N] [--count N] [--batch N] [--settle-ms N]";
    }
}
