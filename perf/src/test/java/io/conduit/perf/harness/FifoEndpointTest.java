package io.conduit.perf.harness;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The parent's FIFO opens block until the child opens the other ends; a child that never does (it failed) must end
 * the wait through the watchdog, not hang the run, and the open given up on must be released and closed, leaving
 * nothing blocked or open behind. A child that does open them connects as before.
 * <p>
 * Linux only, as the harness: FIFOs come from {@code mkfifo}, and what this process holds open is read from
 * {@code /proc/self/fd}.
 */
// a blocked open ignores interrupts: the timeout runs on a thread of its own
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FifoEndpointTest
{
    private static final String PING = "ping.fifo";
    private static final String PONG = "pong.fifo";
    private static final long WAIT_MS = 10_000;

    @TempDir
    Path dir;

    /**
     * The peer is alive while the parent's open of the ping FIFO blocks, then dies without opening its end. The
     * blocked open is found by what it runs (a FIFO endpoint's {@link FileOutputStream} open), not by the name of
     * its thread, so the test cannot pass because no such thread was looked for, or because none was ever started.
     */
    @Test
    void shouldEndTheOpenWhenThePeerIsGone() throws Exception
    {
        final FifoEndpoint endpoint = new FifoEndpoint(Systems.FIFO);
        final String token = endpoint.prepare(dir, 32);
        final Process peer = new ProcessBuilder("sleep", "60").start();
        final FutureTask<Void> connecting = new FutureTask<>(() ->
        {
            endpoint.connect(token, new Watchdog(TimeUnit.SECONDS.toNanos(30), peer.toHandle(), "fifo open"));
            return null;
        });
        final Thread connector = new Thread(connecting, "fifo-connect");
        connector.setDaemon(true); // were the open made on this thread, nothing could end it
        try
        {
            connector.start();
            final Thread opener = awaitBlockedOpen();
            assertFalse(connecting.isDone(), "connect returned while its open was blocked");

            peer.destroyForcibly();
            assertTrue(peer.waitFor(WAIT_MS, TimeUnit.MILLISECONDS));
            // connect waits up to 10 s for an open it released to end, so allow it longer than that
            final ExecutionException ex =
                assertThrows(ExecutionException.class, () -> connecting.get(3 * WAIT_MS, TimeUnit.MILLISECONDS));
            assertInstanceOf(IllegalStateException.class, ex.getCause(), () -> String.valueOf(ex.getCause()));
            assertTrue(ex.getCause().getMessage().contains("is gone"), ex.getCause().getMessage());

            // released (by opening the other end) rather than left blocked for good; the thread is joined inside
            // connect, so this join returns at once unless the open is still blocked
            opener.join(WAIT_MS);
            assertFalse(opener.isAlive(), "the given-up FIFO open is still blocked: " + stackOf(opener));
            // and both ends opened for the release were closed, not leaked
            assertEquals(List.of(), openFifos(), "FIFO ends left open by a given-up connect");
        }
        finally
        {
            peer.destroyForcibly();
            endpoint.close();
        }
    }

    @Test
    void shouldConnectWhenThePeerOpensItsEnds() throws Exception
    {
        final FifoEndpoint endpoint = new FifoEndpoint(Systems.FIFO);
        final String token = endpoint.prepare(dir, 32);
        final FutureTask<Boolean> child = new FutureTask<>(() ->
        {
            try (FileInputStream in = new FileInputStream(dir.resolve(PING).toFile());
                FileOutputStream out = new FileOutputStream(dir.resolve(PONG).toFile()))
            {
                return in.getFD().valid() && out.getFD().valid();
            }
        });
        final Thread thread = new Thread(child, "fifo-child");
        thread.start();
        endpoint.connect(token, new Watchdog(TimeUnit.SECONDS.toNanos(30), null, "fifo open"));
        assertTrue(child.get(10, TimeUnit.SECONDS), "the child opened both ends"); // its failure, if any, thrown here
        // the child's ends are closed again: what is open now is the endpoint's, one end of each FIFO
        assertEquals(List.of(PING, PONG), openFifos());
        endpoint.close();
        assertEquals(List.of(), openFifos(), "FIFO ends left open by close");
    }

    /**
     * @return the thread blocked in a FIFO endpoint's open of a {@link FileOutputStream}, once there is one.
     */
    private static Thread awaitBlockedOpen() throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (System.nanoTime() - deadlineNs < 0)
        {
            for (final Thread thread : Thread.getAllStackTraces().keySet())
            {
                if (isOpeningFifo(thread.getStackTrace()))
                {
                    return thread;
                }
            }
            Thread.sleep(1); // polling for a state that, once reached, holds until the peer dies
        }
        throw new AssertionError("no thread blocked in a FIFO endpoint's open within " + WAIT_MS + " ms");
    }

    private static boolean isOpeningFifo(final StackTraceElement[] stack)
    {
        boolean opening = false;
        boolean fromFifoEndpoint = false;
        for (final StackTraceElement frame : stack)
        {
            opening |= FileOutputStream.class.getName().equals(frame.getClassName());
            fromFifoEndpoint |= FifoEndpoint.class.getName().equals(frame.getClassName());
        }
        return opening && fromFifoEndpoint;
    }

    private static String stackOf(final Thread thread)
    {
        final StringBuilder text = new StringBuilder(thread.getName());
        for (final StackTraceElement frame : thread.getStackTrace())
        {
            text.append("\n\tat ").append(frame);
        }
        return text.toString();
    }

    /**
     * @return the names of this test's FIFOs this process has open, one entry per descriptor, sorted.
     */
    private List<String> openFifos() throws IOException
    {
        final Path realDir = dir.toRealPath();
        final List<String> open = new ArrayList<>();
        try (Stream<Path> descriptors = Files.list(Paths.get("/proc/self/fd")))
        {
            for (final Path descriptor : (Iterable<Path>)descriptors::iterator)
            {
                final Path target;
                try
                {
                    target = Files.readSymbolicLink(descriptor);
                }
                catch (final IOException ex)
                {
                    continue; // closed since it was listed (the listing's own descriptor, for one)
                }
                if (realDir.equals(target.getParent()))
                {
                    open.add(target.getFileName().toString());
                }
            }
        }
        open.sort(null);
        return open;
    }
}
