package io.conduit.perf.harness;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.conduit.file.ChannelFile;
import io.conduit.ring.Ring;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.EOFException;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

import static io.conduit.perf.harness.MessageLayout.MIN_LENGTH;
import static io.conduit.perf.harness.MessageLayout.SEQUENCE_OFFSET;
import static io.conduit.perf.harness.MessageLayout.TYPE_ID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The harness's whole-reply copy: the echo side answers each ping with all of it, not only its send time and sequence
 * (perf/README, "Round trips": "the child echoes the whole message back"; {@link Endpoint#echo}: "each with a copy of
 * itself"), so every system moves the payload both ways. The harness checks only each reply's sequence, and its
 * pings' filler is zeros, so a run would not notice an echo that sent back the first 16 bytes, or those and zeros.
 * <p>
 * Here this JVM plays both processes: the echo side is the harness's own endpoint ({@link Endpoint#open},
 * {@link Endpoint#connectChild}, {@link Endpoint#echo}) on a thread of its own, and the test is the parent, driving
 * the system's transport directly so that it can send what the harness's pings do not carry: a payload every byte of
 * which is drawn from its sequence. Each reply must match its ping in length and in every byte. The parent's side is
 * built by the harness's {@link Endpoint#prepare} where the child opens what that makes (files, FIFOs, the Aeron
 * directory), and the test then opens the same names the endpoints use. Chronicle Queue is left out: it needs the
 * {@code --add-opens} of {@link HarnessJvm}, which the test JVM does not have. So is {@code line-pair}, whose layout
 * is private to its endpoint.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // FIFO opens block
class EchoWholeReplyTest
{
    /** Enough for the largest message to wrap the 1 MiB rings. */
    private static final int ROUND_TRIPS = 150;
    /** Each side's deadline; a case takes milliseconds. */
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);
    /** The shortest, one not a multiple of 8, a harness size, and the longest. */
    private static final int[] LENGTHS = {MIN_LENGTH, 37, 4096, HarnessOptions.MAX_LENGTH};

    // the names the endpoints give what they open; a wrong one fails the open, it cannot pass
    private static final String CONDUIT_PING = "ping";
    private static final String CONDUIT_PONG = "pong";
    private static final String AGRONA_PING = "agrona-ping";
    private static final String AGRONA_PONG = "agrona-pong";
    private static final String FIFO_PING = "ping.fifo";
    private static final String FIFO_PONG = "pong.fifo";
    private static final int AERON_PING_STREAM_ID = 1001;
    private static final int AERON_PONG_STREAM_ID = 1002;

    @TempDir
    Path dir;

    static List<Arguments> systemsAndLengths()
    {
        final List<String> systems = List.of(Systems.CONDUIT_SPSC, Systems.CONDUIT_MPSC, Systems.CONDUIT_HYBRID,
            Systems.CONDUIT_FUTEX, Systems.AGRONA_O2O, Systems.AGRONA_M2O, Systems.AERON_IPC, Systems.UDS_SPIN,
            Systems.UDS_BLOCK, Systems.TCP, Systems.FIFO);
        final List<Arguments> cases = new ArrayList<>();
        for (final String system : systems)
        {
            for (final int length : LENGTHS)
            {
                cases.add(Arguments.of(system, length));
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "{0} {1} B")
    @MethodSource("systemsAndLengths")
    void shouldEchoEveryByteOfEveryPing(final String system, final int length) throws Exception
    {
        final Watchdog watchdog = new Watchdog(TIMEOUT_NS, null, "parent of " + system);
        try (Parent parent = Parent.prepare(system, dir, length))
        {
            final Endpoint child = Systems.create(system);
            final String childToken;
            try
            {
                childToken = child.open(parent.token, length);
            }
            catch (final Exception ex)
            {
                child.close();
                throw ex;
            }
            final CountDownLatch parentDone = new CountDownLatch(1);
            final FutureTask<Void> echo = new FutureTask<>(() ->
            {
                try (child)
                {
                    final Watchdog childWatchdog = new Watchdog(TIMEOUT_NS, null, "echo of " + system);
                    child.connectChild(childWatchdog);
                    child.echo(ROUND_TRIPS, childWatchdog);
                    // as the harness's child waits for CLOSE: the parent takes its last reply before Aeron's
                    // driver, embedded in this side, goes
                    assertTrue(parentDone.await(TIMEOUT_NS, TimeUnit.NANOSECONDS), "the parent never finished");
                }
                return null;
            });
            final Thread echoThread = new Thread(echo, "echo " + system);
            echoThread.setDaemon(true); // should the parent stop early, it runs on to its deadline, then closes
            echoThread.start();
            try
            {
                parent.connect(childToken, watchdog);
                roundTrips(system, parent, length, ROUND_TRIPS, watchdog);
            }
            finally
            {
                parentDone.countDown();
            }
            echo.get(TimeUnit.NANOSECONDS.toSeconds(TIMEOUT_NS), TimeUnit.SECONDS); // the echo's failure, if any
        }
    }

    /**
     * The check the round trips rely on, on its own: a reply with any one byte changed, one byte short or long, the
     * first 16 bytes alone (an echo of the send time and sequence only), or another ping's bytes, is told apart from
     * the ping, at the offset where it first differs; the ping itself is not.
     */
    @Test
    void shouldTellAReplyWithAnyByteChangedFromItsPing()
    {
        final long sequence = 41;
        for (final int length : LENGTHS)
        {
            final byte[] ping = ping(sequence, length);
            final byte[] reply = Arrays.copyOf(ping, HarnessOptions.MAX_LENGTH + 1);
            assertEquals(-1, firstDifference(sequence, length, reply, length), "the ping itself, " + length + " B");
            for (int offset = 0; offset < length; offset++)
            {
                final byte was = reply[offset];
                reply[offset] = (byte)(was + 1);
                assertEquals(offset, firstDifference(sequence, length, reply, length), length + " B");
                reply[offset] = was;
            }
            assertEquals(length - 1, firstDifference(sequence, length, reply, length - 1), "one byte short");
            assertEquals(length, firstDifference(sequence, length, reply, length + 1), "one byte long");
            if (length > MIN_LENGTH)
            {
                assertEquals(MIN_LENGTH, firstDifference(sequence, length, reply, MIN_LENGTH), "header only");
                final byte[] headerThenZeros = Arrays.copyOf(ping, length);
                Arrays.fill(headerThenZeros, MIN_LENGTH, length, (byte)0);
                assertNotEquals(-1, firstDifference(sequence, length, headerThenZeros, length), "header, zeros");
            }
            assertNotEquals(-1, firstDifference(sequence, length, ping(sequence - 1, length), length), "previous");
            assertNotEquals(-1, firstDifference(sequence, length, ping(sequence + 1, length), length), "next");
        }
    }

    /**
     * The round trips catch a wrong reply that crossed a real transport: an echo that changes the last byte, or sends
     * back only the send time and sequence, fails the first round trip, naming the offset. So the parent checks what
     * arrived, not its own ping by another name.
     */
    @Test
    void shouldFailTheRoundTripsOnAReplyWithOneByteChanged() throws Exception
    {
        final int length = 37;
        final AssertionError changed = assertThrows(AssertionError.class,
            () -> roundTripAgainst(Files.createDirectory(dir.resolve("changed")), length, length, length - 1));
        assertTrue(changed.getMessage().contains("reply 0 of 37 B differs from its ping at offset 36"),
            changed.getMessage());
        final AssertionError headerOnly = assertThrows(AssertionError.class,
            () -> roundTripAgainst(Files.createDirectory(dir.resolve("header-only")), length, MIN_LENGTH, -1));
        assertTrue(headerOnly.getMessage().contains("reply 0 of 37 B differs from its ping at offset 16"),
            headerOnly.getMessage());
    }

    /**
     * One round trip over Conduit SPSC rings against an echo written here, which sends back the first
     * {@code replyLength} bytes of the ping with the byte at {@code changedOffset} (unless -1) changed.
     */
    private static void roundTripAgainst(
        final Path dir, final int length, final int replyLength, final int changedOffset) throws Exception
    {
        final Watchdog watchdog = new Watchdog(TIMEOUT_NS, null, "a changing echo");
        try (Parent parent = Parent.prepare(Systems.CONDUIT_SPSC, dir, length);
            ConduitParent echoSide = new ConduitParent(null, dir, CONDUIT_PONG, CONDUIT_PING))
        {
            final FutureTask<Void> echo = new FutureTask<>(() ->
            {
                final UnsafeBuffer message = new UnsafeBuffer(new byte[HarnessOptions.MAX_LENGTH]);
                assertEquals(length, echoSide.receive(message, watchdog));
                if (-1 != changedOffset)
                {
                    message.putByte(changedOffset, (byte)(message.getByte(changedOffset) + 1));
                }
                echoSide.send(message, replyLength, watchdog);
                return null;
            });
            new Thread(echo, "changing echo").start();
            try
            {
                roundTrips(Systems.CONDUIT_SPSC, parent, length, 1, watchdog);
            }
            finally
            {
                echo.get(TimeUnit.NANOSECONDS.toSeconds(TIMEOUT_NS), TimeUnit.SECONDS);
            }
        }
    }

    /**
     * The parent's loop: ping {@code i} carries {@link #ping}{@code (i)}; its reply must be that, whole. One
     * message in flight, as in the harness. It carries on past a wrong reply and throws at the end, naming the
     * first, so that the echo ends by itself rather than spinning on to its deadline.
     */
    private static void roundTrips(
        final String system, final Parent parent, final int length, final int count, final Watchdog watchdog)
        throws Exception
    {
        final UnsafeBuffer ping = new UnsafeBuffer(new byte[length]);
        final byte[] replyBytes = new byte[HarnessOptions.MAX_LENGTH];
        final UnsafeBuffer reply = new UnsafeBuffer(replyBytes);
        String firstWrong = null;
        for (int i = 0; i < count; i++)
        {
            ping.putBytes(0, ping(i, length));
            parent.send(ping, length, watchdog);
            Arrays.fill(replyBytes, (byte)0); // nothing of an earlier reply can pass for this one
            final int replyLength = parent.receive(reply, watchdog);
            final int difference = firstDifference(i, length, replyBytes, replyLength);
            if (-1 != difference && null == firstWrong)
            {
                firstWrong = system + ": reply " + i + " of " + length + " B differs from its ping at offset " +
                    difference + " (reply length " + replyLength + ")";
            }
        }
        if (null != firstWrong)
        {
            throw new AssertionError(firstWrong);
        }
    }

    /**
     * @return ping {@code sequence} of {@code length} bytes: random bytes seeded by the sequence, with the sequence
     * where the harness's pings carry it.
     */
    static byte[] ping(final long sequence, final int length)
    {
        final byte[] bytes = new byte[length];
        new SplittableRandom(sequence).nextBytes(bytes);
        new UnsafeBuffer(bytes).putLong(SEQUENCE_OFFSET, sequence);
        return bytes;
    }

    /**
     * @return -1 if the reply is ping {@code sequence} whole, in length and every byte; else the first offset at
     * which it differs (the shorter length if one is a prefix of the other).
     */
    static int firstDifference(final long sequence, final int length, final byte[] reply, final int replyLength)
    {
        return Arrays.mismatch(ping(sequence, length), 0, length, reply, 0, replyLength);
    }

    /**
     * One empty poll of the test's side: it yields, where the harness spins, so on a busy machine the echo it waits
     * for gets the core sooner. Timing is not measured here.
     */
    private static void pause(final Watchdog watchdog)
    {
        watchdog.check();
        Thread.yield();
    }

    /**
     * The parent's side of one system as this test drives it: one message out, one whole message in.
     */
    private abstract static class Parent implements AutoCloseable
    {
        /** The harness's parent side, which made what the child opens; null where the test makes it. */
        final Endpoint harnessSide;
        /** The token for the child's {@link Endpoint#open}. */
        final String token;

        Parent(final Endpoint harnessSide, final String token)
        {
            this.harnessSide = harnessSide;
            this.token = token;
        }

        static Parent prepare(final String system, final Path dir, final int length) throws Exception
        {
            switch (system)
            {
                case Systems.UDS_SPIN:
                case Systems.UDS_BLOCK:
                case Systems.TCP:
                    return SocketParent.listen(system, dir);
                default:
                    break;
            }
            final Endpoint harnessSide = Systems.create(system);
            try
            {
                final String token = harnessSide.prepare(dir, length);
                switch (system)
                {
                    case Systems.CONDUIT_SPSC:
                    case Systems.CONDUIT_MPSC:
                    case Systems.CONDUIT_HYBRID:
                    case Systems.CONDUIT_FUTEX:
                        return new ConduitParent(harnessSide, dir, CONDUIT_PING, CONDUIT_PONG);
                    case Systems.AGRONA_O2O:
                    case Systems.AGRONA_M2O:
                        return new AgronaParent(harnessSide, dir, Systems.AGRONA_M2O.equals(system));
                    case Systems.AERON_IPC:
                        return new AeronParent(harnessSide, token);
                    case Systems.FIFO:
                        return new FifoParent(harnessSide, dir);
                    default:
                        throw new IllegalArgumentException("no test parent for " + system);
                }
            }
            catch (final Exception ex)
            {
                harnessSide.close();
                throw ex;
            }
        }

        /**
         * Finish the link, concurrently with the child's {@link Endpoint#connectChild}.
         */
        void connect(final String childToken, final Watchdog watchdog) throws Exception
        {
        }

        abstract void send(DirectBuffer message, int length, Watchdog watchdog) throws Exception;

        /**
         * @return the length of the message received, copied to {@code into} from offset 0.
         */
        abstract int receive(MutableDirectBuffer into, Watchdog watchdog) throws Exception;

        @Override
        public void close()
        {
            CloseHelper.quietClose(harnessSide);
        }
    }

    /**
     * Copies a message out whole and keeps its length.
     */
    private static final class Copy
        implements io.conduit.MessageHandler, org.agrona.concurrent.MessageHandler, FragmentHandler
    {
        private MutableDirectBuffer into;
        int length;

        Copy into(final MutableDirectBuffer into)
        {
            this.into = into;
            return this;
        }

        @Override
        public void onMessage(final int typeId, final MutableDirectBuffer buffer, final int offset, final int length)
        {
            copy(buffer, offset, length);
        }

        @Override
        public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            copy(buffer, offset, length);
        }

        private void copy(final DirectBuffer buffer, final int offset, final int length)
        {
            into.putBytes(0, buffer, offset, length);
            this.length = length;
        }
    }

    /**
     * A parent whose transport is polled: one try to send, one poll for a message; the loops around them are here.
     */
    private abstract static class PollingParent extends Parent
    {
        final Copy copy = new Copy();

        PollingParent(final Endpoint harnessSide, final String token)
        {
            super(harnessSide, token);
        }

        /**
         * @return whether the message was taken.
         */
        abstract boolean trySend(DirectBuffer message, int length);

        /**
         * @return messages handed to {@link #copy}: 0 or 1.
         */
        abstract int poll();

        @Override
        final void send(final DirectBuffer message, final int length, final Watchdog watchdog)
        {
            while (!trySend(message, length))
            {
                pause(watchdog);
            }
        }

        @Override
        final int receive(final MutableDirectBuffer into, final Watchdog watchdog)
        {
            copy.into(into);
            while (0 == poll())
            {
                pause(watchdog);
            }
            return copy.length;
        }
    }

    /**
     * Conduit's rings, and the channel files under {@code conduit-hybrid} and {@code conduit-futex}: the same files,
     * whose commits wake the futex sleepers themselves.
     */
    private static final class ConduitParent extends PollingParent
    {
        private final ChannelFile outFile;
        private final ChannelFile inFile;
        private final Ring out;
        private final Ring in;

        ConduitParent(final Endpoint harnessSide, final Path dir, final String outName, final String inName)
            throws IOException
        {
            super(harnessSide, dir.toString());
            outFile = ChannelFile.open(dir, outName);
            try
            {
                inFile = ChannelFile.open(dir, inName);
            }
            catch (final IOException | RuntimeException ex)
            {
                outFile.close();
                throw ex;
            }
            out = outFile.ring();
            in = inFile.ring();
        }

        @Override
        boolean trySend(final DirectBuffer message, final int length)
        {
            return out.offer(TYPE_ID, message, 0, length);
        }

        @Override
        int poll()
        {
            return in.read(copy, 1);
        }

        @Override
        public void close()
        {
            CloseHelper.closeAll(outFile, inFile);
            super.close();
        }
    }

    private static final class AgronaParent extends PollingParent
    {
        private final MappedByteBuffer pingMapped;
        private final MappedByteBuffer pongMapped;
        private final RingBuffer out;
        private final RingBuffer in;

        AgronaParent(final Endpoint harnessSide, final Path dir, final boolean manyToOne)
        {
            super(harnessSide, dir.toString());
            pingMapped = IoUtil.mapExistingFile(dir.resolve(AGRONA_PING).toFile(), AGRONA_PING);
            pongMapped = IoUtil.mapExistingFile(dir.resolve(AGRONA_PONG).toFile(), AGRONA_PONG);
            out = ring(pingMapped, manyToOne);
            in = ring(pongMapped, manyToOne);
        }

        private static RingBuffer ring(final MappedByteBuffer mapped, final boolean manyToOne)
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(mapped);
            return manyToOne ? new ManyToOneRingBuffer(buffer) : new OneToOneRingBuffer(buffer);
        }

        @Override
        boolean trySend(final DirectBuffer message, final int length)
        {
            return out.write(TYPE_ID, message, 0, length);
        }

        @Override
        int poll()
        {
            return in.read(copy, 1);
        }

        @Override
        public void close()
        {
            IoUtil.unmap(pingMapped);
            IoUtil.unmap(pongMapped);
            super.close();
        }
    }

    /**
     * A client of the media driver the child's side embeds, on the endpoint's channel and streams.
     */
    private static final class AeronParent extends PollingParent
    {
        private Aeron aeron;
        private Subscription subscription;
        private ExclusivePublication publication;

        AeronParent(final Endpoint harnessSide, final String token)
        {
            super(harnessSide, token);
        }

        @Override
        void connect(final String childToken, final Watchdog watchdog)
        {
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(childToken));
            subscription = aeron.addSubscription(AeronEndpoint.CHANNEL, AERON_PONG_STREAM_ID);
            publication = aeron.addExclusivePublication(AeronEndpoint.CHANNEL, AERON_PING_STREAM_ID);
            while (!publication.isConnected() || !subscription.isConnected())
            {
                pause(watchdog);
            }
        }

        @Override
        boolean trySend(final DirectBuffer message, final int length)
        {
            return publication.offer(message, 0, length) >= 0;
        }

        @Override
        int poll()
        {
            return subscription.poll(copy, 1);
        }

        @Override
        public void close()
        {
            CloseHelper.closeAll(publication, subscription, aeron);
            super.close();
        }
    }

    /**
     * A listening socket made here (the harness's is private to its endpoint), non-blocking; a stream has no message
     * boundaries, so a reply is the next {@code length} bytes.
     */
    private static final class SocketParent extends Parent
    {
        private final ServerSocketChannel server;
        private SocketChannel channel;
        private int length;

        private SocketParent(final ServerSocketChannel server, final String token)
        {
            super(null, token);
            this.server = server;
        }

        static SocketParent listen(final String system, final Path dir) throws IOException
        {
            if (Systems.TCP.equals(system))
            {
                final ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET);
                server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
                final int port = ((InetSocketAddress)server.getLocalAddress()).getPort();
                return new SocketParent(server, String.valueOf(port));
            }
            final ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            final Path path = dir.resolve("socket");
            server.bind(UnixDomainSocketAddress.of(path), 1);
            return new SocketParent(server, path.toString());
        }

        @Override
        void connect(final String childToken, final Watchdog watchdog) throws IOException
        {
            server.configureBlocking(false);
            while (null == (channel = server.accept()))
            {
                pause(watchdog);
            }
            channel.configureBlocking(false);
        }

        @Override
        void send(final DirectBuffer message, final int length, final Watchdog watchdog) throws IOException
        {
            this.length = length;
            final ByteBuffer frame = ByteBuffer.wrap(message.byteArray(), 0, length);
            while (frame.hasRemaining())
            {
                if (0 == channel.write(frame))
                {
                    pause(watchdog);
                }
            }
        }

        @Override
        int receive(final MutableDirectBuffer into, final Watchdog watchdog) throws IOException
        {
            final ByteBuffer frame = ByteBuffer.wrap(into.byteArray(), 0, length);
            while (frame.hasRemaining())
            {
                final int read = channel.read(frame);
                if (read < 0)
                {
                    throw new EOFException("socket closed after " + frame.position() + " bytes of a reply");
                }
                if (0 == read)
                {
                    pause(watchdog);
                }
            }
            return length;
        }

        @Override
        public void close()
        {
            CloseHelper.closeAll(channel, server);
            super.close();
        }
    }

    /**
     * The FIFOs the harness's side made, opened here in the child's order (ping, then pong), so each open meets the
     * child's; a reply is the next {@code length} bytes, read only once some are there (FIONREAD).
     */
    private static final class FifoParent extends Parent
    {
        private final Path dir;
        private OutputStream out;
        private InputStream in;
        private int length;

        FifoParent(final Endpoint harnessSide, final Path dir)
        {
            super(harnessSide, dir.toString());
            this.dir = dir;
        }

        @Override
        void connect(final String childToken, final Watchdog watchdog) throws IOException
        {
            out = new FileOutputStream(dir.resolve(FIFO_PING).toFile());
            in = new FileInputStream(dir.resolve(FIFO_PONG).toFile());
        }

        @Override
        void send(final DirectBuffer message, final int length, final Watchdog watchdog) throws IOException
        {
            this.length = length;
            out.write(message.byteArray(), 0, length);
        }

        @Override
        int receive(final MutableDirectBuffer into, final Watchdog watchdog) throws IOException
        {
            final byte[] bytes = into.byteArray();
            int position = 0;
            while (position < length)
            {
                while (0 == in.available()) // a read would block for ever on a reply that is short
                {
                    pause(watchdog);
                }
                final int read = in.read(bytes, position, length - position);
                if (read < 0)
                {
                    throw new EOFException("FIFO closed after " + position + " bytes of a reply");
                }
                position += read;
            }
            return length;
        }

        @Override
        public void close()
        {
            CloseHelper.closeAll(out, in);
            super.close();
        }
    }
}
