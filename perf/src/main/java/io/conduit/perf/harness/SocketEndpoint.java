package io.conduit.perf.harness;

import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

import static io.conduit.perf.harness.MessageLayout.*;

/**
 * Kernel sockets through {@code java.nio}: a Unix domain socket ({@link UnixDomainSocketAddress}, JDK 16+), either
 * non-blocking and busy-polled or blocking, or TCP on loopback (127.0.0.1 only, {@code TCP_NODELAY}, blocking).
 * Messages are fixed-length frames of the payload size. The parent's round trips run under a {@link BlockingDeadline},
 * which kills a stalled child at the rep's deadline, so a blocking read cannot hang the run.
 */
final class SocketEndpoint extends Endpoint
{
    /** Which socket. */
    enum Mode
    {
        /** Unix domain socket, non-blocking, busy-polled. */
        UDS_SPIN,
        /** Unix domain socket, blocking. */
        UDS_BLOCK,
        /** TCP over 127.0.0.1, blocking. */
        TCP
    }

    private final Mode mode;
    private ServerSocketChannel server;
    private SocketChannel channel;
    private SocketAddress address;
    private ByteBuffer buffer;

    /**
     * @param system system name.
     * @param mode which socket.
     */
    SocketEndpoint(final String system, final Mode mode)
    {
        super(system);
        this.mode = mode;
    }

    @Override
    String prepare(final Path repDirectory, final int length) throws Exception
    {
        super.prepare(repDirectory, length);
        buffer = ByteBuffer.allocateDirect(length).order(ByteOrder.nativeOrder());
        if (Mode.TCP == mode)
        {
            server = ServerSocketChannel.open(StandardProtocolFamily.INET);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            return String.valueOf(((InetSocketAddress)server.getLocalAddress()).getPort());
        }
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        final Path socketPath = repDirectory.resolve("socket");
        server.bind(UnixDomainSocketAddress.of(socketPath), 1);
        return socketPath.toString();
    }

    @Override
    String open(final String token, final int length) throws Exception
    {
        super.open(token, length);
        buffer = ByteBuffer.allocateDirect(length).order(ByteOrder.nativeOrder());
        address = Mode.TCP == mode ?
            new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(token)) :
            UnixDomainSocketAddress.of(token);
        return NONE;
    }

    @Override
    void connectChild(final Watchdog watchdog) throws Exception
    {
        channel = SocketChannel.open(address);
        configure(channel);
    }

    @Override
    void connect(final String token, final Watchdog watchdog) throws Exception
    {
        // polled, not a blocking accept: a child that fails before it connects must end the wait, not hang it
        server.configureBlocking(false);
        SocketChannel accepted;
        long spins = 0;
        while (null == (accepted = server.accept()))
        {
            spins = Watchdog.spinOnce(watchdog, spins);
        }
        channel = accepted;
        configure(channel);
        server.close();
        server = null;
    }

    private void configure(final SocketChannel channel) throws IOException
    {
        if (Mode.TCP == mode)
        {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        channel.configureBlocking(Mode.UDS_SPIN != mode);
    }

    @Override
    void pingPong(
        final Histogram histogram, final int warmup, final int total, final long intervalNs, final Watchdog watchdog)
        throws IOException
    {
        final SocketChannel channel = this.channel;
        final ByteBuffer buffer = this.buffer;
        final Pacer pacer = new Pacer(intervalNs, warmup);
        // a blocking read or write never comes back to the watchdog's checks while the child stalls
        final BlockingDeadline deadline = BlockingDeadline.arm(watchdog);
        try
        {
            for (int i = 0; i < total; i++)
            {
                final long sendNs = pacer.sendTimeNs();
                buffer.clear();
                buffer.putLong(SEND_TIME_OFFSET, sendNs);
                buffer.putLong(SEQUENCE_OFFSET, i);
                writeFully(channel, buffer, watchdog);
                buffer.clear();
                readFully(channel, buffer, watchdog);
                final long nowNs = System.nanoTime();
                record(histogram, i, warmup, buffer.getLong(SEQUENCE_OFFSET),
                    nowNs - buffer.getLong(SEND_TIME_OFFSET));
            }
        }
        catch (final IOException ex)
        {
            throw deadline.failure(ex);
        }
        finally
        {
            deadline.close(); // on any way out, a kill that started has finished before the rep goes on
        }
        // the loop finished, but the deadline may have fired as it did: then the peer is dead and the rep failed
        deadline.disarm();
    }

    @Override
    void echo(final int total, final Watchdog watchdog) throws IOException
    {
        final SocketChannel channel = this.channel;
        final ByteBuffer buffer = this.buffer;
        for (int i = 0; i < total; i++)
        {
            buffer.clear();
            readFully(channel, buffer, watchdog);
            buffer.flip();
            writeFully(channel, buffer, watchdog);
        }
    }

    private static void writeFully(final SocketChannel channel, final ByteBuffer buffer, final Watchdog watchdog)
        throws IOException
    {
        long spins = 0;
        while (buffer.hasRemaining())
        {
            if (0 == channel.write(buffer))
            {
                spins = Watchdog.spinOnce(watchdog, spins);
            }
        }
    }

    private static void readFully(final SocketChannel channel, final ByteBuffer buffer, final Watchdog watchdog)
        throws IOException
    {
        long spins = 0;
        while (buffer.hasRemaining())
        {
            final int read = channel.read(buffer);
            if (read < 0)
            {
                throw new EOFException("socket closed by peer after " + buffer.position() + " bytes of a frame");
            }
            if (0 == read)
            {
                spins = Watchdog.spinOnce(watchdog, spins);
            }
        }
    }

    @Override
    public void close()
    {
        CloseHelper.closeAll(channel, server);
    }
}
