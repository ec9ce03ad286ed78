package io.conduit.perf.harness;

import io.conduit.MessageHandler;
import io.conduit.file.ChannelFile;
import io.conduit.file.ChannelOptions;
import io.conduit.ring.Ring;
import io.conduit.ring.RingKind;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.nio.file.Paths;

import static io.conduit.perf.harness.MessageLayout.*;

/**
 * Conduit SPSC or MPSC rings: one channel file per direction in the repetition's directory ({@code /dev/shm}), the
 * parent creating both. Messages are copied in with {@link Ring#offer} on both sides, as every other system here
 * copies its message.
 */
final class ConduitEndpoint extends Endpoint
{
    private static final String PING = "ping";
    private static final String PONG = "pong";

    private final RingKind kind;
    private ChannelFile pingFile;
    private ChannelFile pongFile;
    private Ring out;
    private Ring in;
    private UnsafeBuffer message;

    /**
     * @param system system name.
     * @param kind ring kind of both channels.
     */
    ConduitEndpoint(final String system, final RingKind kind)
    {
        super(system);
        this.kind = kind;
    }

    @Override
    String prepare(final Path repDirectory, final int length) throws Exception
    {
        super.prepare(repDirectory, length);
        final ChannelOptions options = ChannelOptions.defaults().kind(kind).capacity(Harness.RING_CAPACITY);
        pingFile = ChannelFile.create(repDirectory, PING, options);
        pongFile = ChannelFile.create(repDirectory, PONG, options);
        out = pingFile.ring();
        in = pongFile.ring();
        message = new UnsafeBuffer(new byte[length]);
        return repDirectory.toString();
    }

    @Override
    String open(final String token, final int length) throws Exception
    {
        super.open(token, length);
        final Path directory = Paths.get(token);
        final ChannelOptions expected = ChannelOptions.defaults().kind(kind);
        pingFile = ChannelFile.open(directory, PING, expected);
        pongFile = ChannelFile.open(directory, PONG, expected);
        in = pingFile.ring();
        out = pongFile.ring();
        message = new UnsafeBuffer(new byte[length]);
        return NONE;
    }

    @Override
    void pingPong(
        final Histogram histogram, final int warmup, final int total, final long intervalNs, final Watchdog watchdog)
    {
        final Ring out = this.out;
        final Ring in = this.in;
        final UnsafeBuffer message = this.message;
        final int length = this.length;
        final Receiver receiver = new Receiver();
        final Pacer pacer = new Pacer(intervalNs, warmup);
        long spins = 0;
        for (int i = 0; i < total; i++)
        {
            stamp(message, pacer, i);
            while (!out.offer(TYPE_ID, message, 0, length))
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
        final Ring in = this.in;
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
        final Ring out = this.out;
        final UnsafeBuffer message = this.message;
        final int length = this.length;
        long failedOffers = 0;
        for (int i = 0; i < total; i++)
        {
            message.putLong(SEQUENCE_OFFSET, i);
            while (!out.offer(TYPE_ID, message, 0, length))
            {
                failedOffers = Watchdog.spinOnce(watchdog, failedOffers);
            }
        }
        return failedOffers;
    }

    @Override
    void consume(final int total, final Watchdog watchdog)
    {
        final Ring in = this.in;
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
        CloseHelper.closeAll(pingFile, pongFile);
    }

    static final class Echoer implements MessageHandler
    {
        private final Ring out;
        private final Watchdog watchdog;
        int echoed;

        Echoer(final Ring out, final Watchdog watchdog)
        {
            this.out = out;
            this.watchdog = watchdog;
        }

        @Override
        public void onMessage(final int typeId, final MutableDirectBuffer buffer, final int offset, final int length)
        {
            long spins = 0;
            while (!out.offer(typeId, buffer, offset, length))
            {
                spins = Watchdog.spinOnce(watchdog, spins);
            }
            echoed++;
        }
    }
}
