package io.conduit.perf.harness;

import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;

import java.io.Closeable;
import java.io.EOFException;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static io.conduit.perf.harness.MessageLayout.*;

/**
 * A pair of named pipes made with {@code mkfifo} (run through {@link ProcessBuilder}), read and written with
 * blocking streams: the plain kernel-pipe anchor. Opening a FIFO blocks until its other end is opened, so both sides
 * open the ping FIFO first, then the pong FIFO. The parent's round trips run under a {@link BlockingDeadline}, which
 * kills a stalled child at the rep's deadline, so a blocking read cannot hang the run.
 */
final class FifoEndpoint extends Endpoint
{
    private static final String PING = "ping.fifo";
    private static final String PONG = "pong.fifo";

    private Path directory;
    private OutputStream out;
    private InputStream in;
    private byte[] bytes;
    private ByteBuffer view;

    /**
     * @param system system name.
     */
    FifoEndpoint(final String system)
    {
        super(system);
    }

    @Override
    String prepare(final Path repDirectory, final int length) throws Exception
    {
        super.prepare(repDirectory, length);
        directory = repDirectory;
        mkfifo(repDirectory.resolve(PING));
        mkfifo(repDirectory.resolve(PONG));
        allocate(length);
        return repDirectory.toString();
    }

    private static void mkfifo(final Path path) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder("mkfifo", "-m", "600", path.toString())
            .redirectErrorStream(true).start();
        if (!process.waitFor(10, TimeUnit.SECONDS) || 0 != process.exitValue())
        {
            process.destroyForcibly();
            throw new IOException("mkfifo failed for " + path + ": " +
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private void allocate(final int length)
    {
        bytes = new byte[length];
        view = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
    }

    @Override
    String open(final String token, final int length) throws Exception
    {
        super.open(token, length);
        directory = Paths.get(token);
        allocate(length);
        return NONE;
    }

    @Override
    void connectChild(final Watchdog watchdog) throws Exception
    {
        in = new FileInputStream(directory.resolve(PING).toFile());
        out = new FileOutputStream(directory.resolve(PONG).toFile());
    }

    @Override
    void connect(final String token, final Watchdog watchdog) throws Exception
    {
        final File ping = directory.resolve(PING).toFile();
        final File pong = directory.resolve(PONG).toFile();
        out = openWatched(() -> new FileOutputStream(ping), () -> new FileInputStream(ping), watchdog);
        in = openWatched(() -> new FileInputStream(pong), () -> new FileOutputStream(pong), watchdog);
    }

    /**
     * Open one end of a FIFO, which blocks until the child opens the other, under the watchdog: a child that fails
     * before it opens its end ends the wait with the watchdog's exception rather than hanging the run. The open runs
     * on a thread of its own; given up, it is released by opening the other end here.
     */
    private static <T extends Closeable> T openWatched(
        final Callable<T> open, final Callable<Closeable> otherEnd, final Watchdog watchdog) throws Exception
    {
        final FutureTask<T> opening = new FutureTask<>(open);
        final Thread opener = new Thread(opening, "fifo-open");
        opener.setDaemon(true);
        opener.start();
        try
        {
            while (true)
            {
                try
                {
                    return opening.get(10, TimeUnit.MILLISECONDS);
                }
                catch (final TimeoutException ex)
                {
                    watchdog.check();
                }
            }
        }
        catch (final ExecutionException ex)
        {
            throw ex.getCause() instanceof Exception ? (Exception)ex.getCause() : ex;
        }
        catch (final RuntimeException ex)
        {
            if (!opening.isDone())
            {
                CloseHelper.quietClose(otherEnd.call()); // releases the blocked open
            }
            opener.join(TimeUnit.SECONDS.toMillis(10));
            if (opening.isDone() && !opening.isCancelled())
            {
                try
                {
                    CloseHelper.quietClose(opening.get());
                }
                catch (final ExecutionException ignore)
                {
                    // the open failed: nothing to close
                }
            }
            throw ex;
        }
    }

    @Override
    void pingPong(
        final Histogram histogram, final int warmup, final int total, final long intervalNs, final Watchdog watchdog)
        throws IOException
    {
        final OutputStream out = this.out;
        final InputStream in = this.in;
        final byte[] bytes = this.bytes;
        final ByteBuffer view = this.view;
        final Pacer pacer = new Pacer(intervalNs, warmup);
        // the reads and writes block in the kernel, out of the watchdog's reach, while the child stalls
        final BlockingDeadline deadline = BlockingDeadline.arm(watchdog);
        try
        {
            for (int i = 0; i < total; i++)
            {
                final long sendNs = pacer.sendTimeNs();
                view.putLong(SEND_TIME_OFFSET, sendNs);
                view.putLong(SEQUENCE_OFFSET, i);
                out.write(bytes);
                readFully(in, bytes);
                final long nowNs = System.nanoTime();
                record(histogram, i, warmup, view.getLong(SEQUENCE_OFFSET), nowNs - view.getLong(SEND_TIME_OFFSET));
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
        final OutputStream out = this.out;
        final InputStream in = this.in;
        final byte[] bytes = this.bytes;
        for (int i = 0; i < total; i++)
        {
            readFully(in, bytes);
            out.write(bytes);
        }
    }

    private static void readFully(final InputStream in, final byte[] bytes) throws IOException
    {
        int position = 0;
        while (position < bytes.length)
        {
            final int read = in.read(bytes, position, bytes.length - position);
            if (read < 0)
            {
                throw new EOFException("FIFO closed by peer after " + position + " bytes of a frame");
            }
            position += read;
        }
    }

    @Override
    public void close()
    {
        CloseHelper.closeAll(out, in);
    }
}
