package io.conduit.perf.harness;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;

import static io.conduit.perf.harness.MessageLayout.*;

/**
 * Aeron IPC ({@code aeron:ipc}) between the two processes, through a media driver embedded in the child: one
 * exclusive publication per direction, term length 2 MiB so a publisher may run at most 1 MiB ahead, the same as
 * the rings' capacity, and an MTU above the largest payload so no message is fragmented.
 * <p>
 * The driver runs {@link ThreadingMode#SHARED} with a {@link BackoffIdleStrategy} (10 spins, 5 yields, then parks
 * from 1 µs up to 1 ms), so it does not hold a core; the CPU its thread burns is measured and reported, with that of
 * both clients' conductor threads, as helper CPU. Under {@code taskset} the driver shares the child's core.
 */
final class AeronEndpoint extends Endpoint
{
    /** Term length of both streams, bytes. */
    static final int TERM_LENGTH = 2 * Harness.RING_CAPACITY;
    /** The channel of both streams. */
    static final String CHANNEL = "aeron:ipc?term-length=" + TERM_LENGTH + "|mtu=8192";
    private static final int PING_STREAM_ID = 1001;
    private static final int PONG_STREAM_ID = 1002;

    private MediaDriver driver;
    private Aeron aeron;
    private ExclusivePublication publication;
    private Subscription subscription;
    private UnsafeBuffer message;

    /**
     * @param system system name.
     */
    AeronEndpoint(final String system)
    {
        super(system);
    }

    @Override
    String prepare(final Path repDirectory, final int length) throws Exception
    {
        super.prepare(repDirectory, length);
        message = new UnsafeBuffer(new byte[length]);
        return repDirectory.resolve("aeron").toString();
    }

    @Override
    String open(final String token, final int length) throws Exception
    {
        super.open(token, length);
        message = new UnsafeBuffer(new byte[length]);
        driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(token)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(10, 5, 1_000, 1_000_000))
            .ipcTermBufferLength(TERM_LENGTH)
            .termBufferSparseFile(false)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .warnIfDirectoryExists(false)
            .printConfigurationOnStart(false));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(token));
        subscription = aeron.addSubscription(CHANNEL, PING_STREAM_ID);
        publication = aeron.addExclusivePublication(CHANNEL, PONG_STREAM_ID);
        return token;
    }

    @Override
    void connectChild(final Watchdog watchdog)
    {
        awaitConnected(watchdog);
    }

    @Override
    void connect(final String token, final Watchdog watchdog)
    {
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(token));
        subscription = aeron.addSubscription(CHANNEL, PONG_STREAM_ID);
        publication = aeron.addExclusivePublication(CHANNEL, PING_STREAM_ID);
        awaitConnected(watchdog);
    }

    private void awaitConnected(final Watchdog watchdog)
    {
        while (!publication.isConnected() || !subscription.isConnected())
        {
            watchdog.check();
            Thread.yield();
        }
    }

    private static boolean checkOfferResult(final long result)
    {
        if (result > 0)
        {
            return true;
        }
        if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
        {
            throw new IllegalStateException("aeron publication offer failed: result=" + result);
        }
        return false; // back-pressured, not connected yet, or admin action: retry
    }

    @Override
    void pingPong(
        final Histogram histogram, final int warmup, final int total, final long intervalNs, final Watchdog watchdog)
    {
        final ExclusivePublication publication = this.publication;
        final Subscription subscription = this.subscription;
        final UnsafeBuffer message = this.message;
        final int length = this.length;
        final Endpoint.Receiver receiver = new Endpoint.Receiver();
        final Pacer pacer = new Pacer(intervalNs, warmup);
        long spins = 0;
        for (int i = 0; i < total; i++)
        {
            stamp(message, pacer, i);
            while (!checkOfferResult(publication.offer(message, 0, length)))
            {
                spins = Watchdog.spinOnce(watchdog, spins);
            }
            while (0 == subscription.poll(receiver, 1))
            {
                spins = Watchdog.spinOnce(watchdog, spins);
            }
            final long nowNs = System.nanoTime();
            record(histogram, i, warmup, receiver, length, nowNs);
        }
    }

    @Override
    void echo(final int total, final Watchdog watchdog)
    {
        final Subscription subscription = this.subscription;
        final Echoer echoer = new Echoer(publication, watchdog);
        long spins = 0;
        while (echoer.echoed < total)
        {
            if (0 == subscription.poll(echoer, 16))
            {
                spins = Watchdog.spinOnce(watchdog, spins); // paused as the floor's echo and every parent loop
            }
        }
    }

    @Override
    long produce(final int total, final Watchdog watchdog)
    {
        final ExclusivePublication publication = this.publication;
        final UnsafeBuffer message = this.message;
        final int length = this.length;
        long failedOffers = 0;
        for (int i = 0; i < total; i++)
        {
            message.putLong(SEQUENCE_OFFSET, i);
            while (!checkOfferResult(publication.offer(message, 0, length)))
            {
                failedOffers = Watchdog.spinOnce(watchdog, failedOffers);
            }
        }
        return failedOffers;
    }

    @Override
    void consume(final int total, final Watchdog watchdog)
    {
        final Subscription subscription = this.subscription;
        final Counter counter = new Counter(system);
        long spins = 0;
        while (counter.count < total)
        {
            if (0 == subscription.poll(counter, Harness.READ_BATCH) && 0 == (++spins & Watchdog.SPIN_CHECK_MASK))
            {
                watchdog.check();
            }
        }
    }

    @Override
    public void close()
    {
        CloseHelper.closeAll(publication, subscription, aeron, driver);
    }

    static final class Echoer implements FragmentHandler
    {
        private final ExclusivePublication publication;
        private final Watchdog watchdog;
        int echoed;

        Echoer(final ExclusivePublication publication, final Watchdog watchdog)
        {
            this.publication = publication;
            this.watchdog = watchdog;
        }

        @Override
        public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            long spins = 0;
            while (!checkOfferResult(publication.offer(buffer, offset, length)))
            {
                spins = Watchdog.spinOnce(watchdog, spins);
            }
            echoed++;
        }
    }

    static final class Counter implements FragmentHandler
    {
        private final String system;
        int count;

        Counter(final String system)
        {
            this.system = system;
        }

        @Override
        public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            checkSequence(count, buffer.getLong(offset + SEQUENCE_OFFSET), system);
            count++;
        }
    }
}
