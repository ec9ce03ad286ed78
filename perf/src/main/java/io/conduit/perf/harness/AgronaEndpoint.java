package io.conduit.perf.harness;

import org.HdrHistogram.Histogram;
import org.agrona.IoUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

import static io.conduit.perf.harness.MessageLayout.*;

/**
 * Agrona's OneToOneRingBuffer or ManyToOneRingBuffer over memory-mapped files of the same capacity as Conduit's
 * rings, one per direction, created by the parent in the repetition's directory ({@code /dev/shm}).
 */
final class AgronaEndpoint extends Endpoint
{
    private static final String PING = "agrona-ping";
    private static final String PONG = "agrona-pong";

    private final boolean manyToOne;
    private MappedByteBuffer pingMapped;
    private MappedByteBuffer pongMapped;
    private RingBuffer out;
    private RingBuffer in;
    private UnsafeBuffer message;

    /**
     * @param system system name.
     * @param manyToOne true for ManyToOneRingBuffer, false for OneToOneRingBuffer.
     */
    AgronaEndpoint(final String system, final boolean manyToOne)
    {
        super(system);
        this.manyToOne = manyToOne;
    }

    @Override
    String prepare(final Path repDirectory, final int length) throws Exception
    {
        super.prepare(repDirectory, length);
        final long fileLength = Harness.RING_CAPACITY + RingBufferDescriptor.TRAILER_LENGTH;
        pingMapped = IoUtil.mapNewFile(repDirectory.resolve(PING).toFile(), fileLength);
        pongMapped = IoUtil.mapNewFile(repDirectory.resolve(PONG).toFile(), fileLength);
        out = ring(pingMapped);
        in = ring(pongMapped);
        message = new UnsafeBuffer(new byte[length]);
        return repDirectory.toString();
    }

    @Override
    String open(final String token, final int length) throws Exception
    {
        super.open(token, length);
        pingMapped = IoUtil.mapExistingFile(new File(token, PING), PING);
        pongMapped = IoUtil.mapExistingFile(new File(token, PONG), PONG);
        in = ring(pingMapped);
        out = ring(pongMapped);
        message = new UnsafeBuffer(new byte[length]);
        return NONE;
    }

    private RingBuffer ring(final MappedByteBuffer mapped)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(mapped);
        return manyToOne ? new ManyToOneRingBuffer(buffer) : new OneToOneRingBuffer(buffer);
    }

    @Override
    void pingPong(
        final Histogram histogram, final int warmup, final int total, final long intervalNs, final Watchdog watchdog)
    {
        final RingBuffer out = this.out;
        final RingBuffer in = this.in;
        final UnsafeBuffer message = this.message;
        final int length = this.length;
        final Receiver receiver = new Receiver();
        final Pacer pacer = new Pacer(intervalNs, warmup);
        long spins = 0;
        for (int i = 0; i < total; i++)
        {
            stamp(message, pacer, i);
            while (!out.write(TYPE_ID, message, 0, length))
            {
                spins = Watchdog.spinOnce(watchdog, spins);
            }
            while (0 == in.read(receiver, 1))
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
        final RingBuffer in = this.in;
        final Echoer echoer = new Echoer(out, watchdog);
        long spins = 0;
        while (echoer.echoed < total)
        {
            if (0 == in.read(echoer, 16))
            {
                spins = Watchdog.spinOnce(watchdog, spins); // paused as the floor's echo and every parent loop
            }
        }
    }

    @Override
    long produce(final int total, final Watchdog watchdog)
    {
        final RingBuffer out = this.out;
        final UnsafeBuffer message = this.message;
        final int length = this.length;
        long failedOffers = 0;
        for (int i = 0; i < total; i++)
        {
            message.putLong(SEQUENCE_OFFSET, i);
            while (!out.write(TYPE_ID, message, 0, length))
            {
                failedOffers = Watchdog.spinOnce(watchdog, failedOffers);
            }
        }
        return failedOffers;
    }

    @Override
    void consume(final int total, final Watchdog watchdog)
    {
        final RingBuffer in = this.in;
        final Counter counter = new Counter(system);
        long spins = 0;
        while (counter.count < total)
        {
            if (0 == in.read(counter, Harness.READ_BATCH) && 0 == (++spins & Watchdog.SPIN_CHECK_MASK))
            {
                watchdog.check();
            }
        }
    }

    @Override
    public void close()
    {
        IoUtil.unmap(pingMapped);
        IoUtil.unmap(pongMapped);
    }

    static final class Echoer implements MessageHandler
    {
        private final RingBuffer out;
        private final Watchdog watchdog;
        int echoed;

        Echoer(final RingBuffer out, final Watchdog watchdog)
        {
            this.out = out;
            this.watchdog = watchdog;
        }

        @Override
        public void onMessage(final int typeId, final MutableDirectBuffer buffer, final int offset, final int length)
        {
            long spins = 0;
            while (!out.write(typeId, buffer, offset, length))
            {
                spins = Watchdog.spinOnce(watchdog, spins);
            }
            echoed++;
        }
    }
}
