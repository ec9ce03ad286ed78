package io.conduit.perf.harness;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.nio.file.Path;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The parent's FIFO opens block until the child opens the other ends; a child that never does (it failed) must end
 * the wait through the watchdog, not hang the run. A child that does open them connects as before.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a blocked open ignores interrupts
class FifoEndpointTest
{
    @TempDir
    Path dir;

    @Test
    void shouldEndTheOpenWhenThePeerIsGone() throws Exception
    {
        final FifoEndpoint endpoint = new FifoEndpoint(Systems.FIFO);
        final String token = endpoint.prepare(dir, 32);
        final Process gone = new ProcessBuilder("true").start();
        assertTrue(gone.waitFor(10, TimeUnit.SECONDS));
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> endpoint.connect(token, new Watchdog(TimeUnit.SECONDS.toNanos(30), gone.toHandle(), "fifo open")));
        assertTrue(ex.getMessage().contains("is gone"), ex.getMessage());
        endpoint.close();
        // and the open given up on was released (by opening the other end), not left blocked for good
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if ("fifo-open".equals(thread.getName()))
            {
                thread.join(10_000);
                assertFalse(thread.isAlive(), "a FIFO open left blocked");
            }
        }
    }

    @Test
    void shouldConnectWhenThePeerOpensItsEnds() throws Exception
    {
        final FifoEndpoint endpoint = new FifoEndpoint(Systems.FIFO);
        final String token = endpoint.prepare(dir, 32);
        final FutureTask<Boolean> child = new FutureTask<>(() ->
        {
            try (FileInputStream in = new FileInputStream(dir.resolve("ping.fifo").toFile());
                FileOutputStream out = new FileOutputStream(dir.resolve("pong.fifo").toFile()))
            {
                return in.getFD().valid() && out.getFD().valid();
            }
        });
        final Thread thread = new Thread(child, "fifo-child");
        thread.start();
        endpoint.connect(token, new Watchdog(TimeUnit.SECONDS.toNanos(30), null, "fifo open"));
        assertTrue(child.get(10, TimeUnit.SECONDS), "the child opened both ends"); // its failure, if any, thrown here
        endpoint.close();
    }
}
