package io.conduit.perf.harness;

import io.conduit.Channel;
import io.conduit.MessageHandler;
import io.conduit.file.ChannelOptions;
import io.conduit.ring.RingKind;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

import static io.conduit.perf.harness.MessageLayout.*;

/**
 * Conduit's blocking face: one {@link Channel} per direction over an SPSC ring, the parent creating both files. Each
 * side waits for the other's message in {@link Channel#receive} with a limit of 1 and copies its own in with
 * {@link Channel#offer} ({@link Channel#send} should the ring ever be full, which a ping-pong never fills), so every
 * round trip pays the channel's waiting policy on both sides:
 * <ul>
 *     <li>{@code spins = 0, yields = 0} ({@code conduit-futex}): every receive that finds nothing announces itself
 *     and sleeps in {@code FUTEX_WAIT}; the peer's commit sees the announcement and calls {@code FUTEX_WAKE}, so
 *     each round trip is two kernel wake-ups;</li>
 *     <li>the defaults ({@code conduit-hybrid}): spin, then yield, then sleep. While the peer answers within the
 *     spins nobody sleeps and the sender makes no system call.</li>
 * </ul>
 * Threading: one thread per instance, as every endpoint.
 */
final class ChannelEndpoint extends Endpoint
{
    /** Longest single blocking call; the watchdog is checked whenever one returns empty-handed. */
    static final long WAIT_SLICE_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private static final String PING = "ping";
    private static final String PONG = "pong";

    private final int spins;
    private final int yields;
    private Channel pingChannel;
    private Channel pongChannel;
    private Channel out;
    private Channel in;
    private UnsafeBuffer message;

    /**
     * @param system system name.
     * @param spins busy spins before yielding, both sides.
     * @param yields yields before sleeping, both sides.
     */
    ChannelEndpoint(final String system, final int spins, final int yields)
    {
        super(system);
        this.spins = spins;
        this.yields = yields;
    }

    @Override
    String prepare(final Path repDirectory, final int length) throws Exception
    {
        super.prepare(repDirectory, length);
        final ChannelOptions options = ChannelOptions.defaults().kind(RingKind.SPSC).capacity(Harness.RING_CAPACITY);
        pingChannel = Channel.open(repDirectory, PING, options, spins, yields);
        pongChannel = Channel.open(repDirectory, PONG, options, spins, yields);
        out = pingChannel;
        in = pongChannel;
        message = new UnsafeBuffer(new byte[length]);
        return repDirectory.toString();
    }

    @Override
    String open(final String token, final int length) throws Exception
    {
        super.open(token, length);
        final Path directory = Paths.get(token);
        final ChannelOptions expected = ChannelOptions.defaults().kind(RingKind.SPSC);
        pingChannel = Channel.open(directory, PING, expected, spins, yields);
        pongChannel = Channel.open(directory, PONG, expected, spins, yields);
        in = pingChannel;
        out = pongChannel;
        message = new UnsafeBuffer(new byte[length]);
        return NONE;
    }

    @Override
    void pingPong(
        final Histogram histogram, final int warmup, final int total, final long intervalNs, final Watchdog watchdog)
    {
        final Channel out = this.out;
        final Channel in = this.in;
        final UnsafeBuffer message = this.message;
        final int length = this.length;
        // conduit-spsc's receiver class: the ring's handler call site sees the same types for both systems
        final Receiver receiver = new Receiver();
        final Pacer pacer = new Pacer(intervalNs, warmup);
        for (int i = 0; i < total; i++)
        {
            stamp(message, pacer, i);
            offerOrSend(out, message, 0, length, watchdog);
            while (0 == in.receive(receiver, 1, WAIT_SLICE_NS))
            {
                watchdog.check();
            }
            final long nowNs = System.nanoTime();
            record(histogram, i, warmup, receiver, length, nowNs);
        }
    }

    @Override
    void echo(final int total, final Watchdog watchdog)
    {
        final Channel in = this.in;
        final Echoer echoer = new Echoer(out, watchdog);
        while (echoer.echoed < total)
        {
            if (0 == in.receive(echoer, 1, WAIT_SLICE_NS))
            {
                watchdog.check();
            }
        }
    }

    private static void offerOrSend(
        final Channel out, final DirectBuffer source, final int offset, final int length, final Watchdog watchdog)
    {
        if (!out.offer(TYPE_ID, source, offset, length))
        {
            while (!out.send(TYPE_ID, source, offset, length, WAIT_SLICE_NS))
            {
                watchdog.check();
            }
        }
    }

    @Override
    public void close()
    {
        CloseHelper.closeAll(pingChannel, pongChannel);
    }

    static final class Echoer implements MessageHandler
    {
        private final Channel out;
        private final Watchdog watchdog;
        int echoed;

        Echoer(final Channel out, final Watchdog watchdog)
        {
            this.out = out;
            this.watchdog = watchdog;
        }

        @Override
        public void onMessage(final int typeId, final MutableDirectBuffer buffer, final int offset, final int length)
        {
            offerOrSend(out, buffer, offset, length, watchdog);
            echoed++;
        }
    }
}
