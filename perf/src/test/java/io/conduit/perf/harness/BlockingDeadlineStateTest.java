package io.conduit.perf.harness;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.EOFException;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The race between a {@link BlockingDeadline}'s kill and the end of the loop it bounds, driven in a chosen order with
 * no timer ({@link BlockingDeadline#armUnscheduled}) and a fake peer that counts its kills: whichever side takes the
 * state first wins, and a loop that loses fails with the deadline's message, after the kill has finished.
 */
@Timeout(30)
class BlockingDeadlineStateTest
{
    private static final String TIMED_OUT = "timed out: ping-pong uds-block after 2000 ms";

    private final FakePeer peer = new FakePeer();
    private final BlockingDeadline deadline = BlockingDeadline.armUnscheduled(
        new Watchdog(TimeUnit.MILLISECONDS.toNanos(2_000), peer, "ping-pong uds-block"));

    @Test
    void shouldFailALoopThatEndsNormallyAfterTheKillFired()
    {
        deadline.fire();

        final IOException ex = assertThrows(IOException.class, deadline::disarm);
        assertTrue(ex.getMessage().startsWith(TIMED_OUT), ex::getMessage);
        assertEquals(1, peer.kills.get());
    }

    @Test
    void shouldNotKillAfterTheLoopEndedNormally() throws IOException
    {
        deadline.disarm();
        deadline.fire();
        deadline.close();

        assertEquals(0, peer.kills.get());
    }

    @Test
    void shouldNameTheDeadlineForALoopThatThrewAfterTheKillFired()
    {
        final IOException cause = new EOFException("socket closed by peer after 0 bytes of a frame");
        deadline.fire();

        final IOException ex = deadline.failure(cause);
        assertTrue(ex.getMessage().startsWith(TIMED_OUT), ex::getMessage);
        assertSame(cause, ex.getCause());
        assertEquals(1, peer.kills.get());
    }

    @Test
    void shouldPassOnWhatALoopThrewBeforeTheDeadline()
    {
        final IOException cause = new EOFException("socket closed by peer after 0 bytes of a frame");

        assertSame(cause, deadline.failure(cause));
        deadline.fire();
        assertEquals(0, peer.kills.get());
    }

    @Test
    void shouldNotKillAfterClose()
    {
        deadline.close();
        deadline.fire();

        assertEquals(0, peer.kills.get());
    }

    @Test
    void shouldWaitForAKillThatStartedBeforeTheLoopEnded() throws Exception
    {
        peer.holdKill = new CountDownLatch(1);
        final Thread timer = new Thread(deadline::fire, "fake-timer");
        timer.start();
        assertTrue(peer.killing.await(10, TimeUnit.SECONDS), "the kill did not start");

        final AtomicReference<Exception> thrown = new AtomicReference<>();
        final Thread loop = new Thread(() ->
        {
            try
            {
                deadline.disarm();
            }
            catch (final Exception ex)
            {
                thrown.set(ex);
            }
        }, "fake-loop");
        loop.start();
        // the loop can only leave disarm by the kill's latch, which is held: it must come to wait on it
        while (Thread.State.WAITING != loop.getState() && Thread.State.TERMINATED != loop.getState())
        {
            Thread.onSpinWait();
        }
        assertEquals(Thread.State.WAITING, loop.getState(), "disarm returned while the kill was still running");

        peer.holdKill.countDown();
        loop.join();
        timer.join();
        assertTrue(thrown.get() instanceof IOException && thrown.get().getMessage().startsWith(TIMED_OUT),
            () -> String.valueOf(thrown.get()));
        assertEquals(1, peer.kills.get());
    }

    /**
     * A peer process that is never a process: it counts the kills asked of it, and can hold one until released.
     */
    private static final class FakePeer implements ProcessHandle
    {
        final AtomicInteger kills = new AtomicInteger();
        final CountDownLatch killing = new CountDownLatch(1);
        volatile CountDownLatch holdKill = new CountDownLatch(0);

        @Override
        public boolean destroyForcibly()
        {
            kills.incrementAndGet();
            killing.countDown();
            try
            {
                holdKill.await();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            return true;
        }

        @Override
        public boolean destroy()
        {
            return destroyForcibly();
        }

        @Override
        public long pid()
        {
            return 424242;
        }

        @Override
        public Optional<ProcessHandle> parent()
        {
            return Optional.empty();
        }

        @Override
        public Stream<ProcessHandle> children()
        {
            return Stream.empty();
        }

        @Override
        public Stream<ProcessHandle> descendants()
        {
            return Stream.empty();
        }

        @Override
        public Info info()
        {
            throw new UnsupportedOperationException("info");
        }

        @Override
        public CompletableFuture<ProcessHandle> onExit()
        {
            return new CompletableFuture<>();
        }

        @Override
        public boolean supportsNormalTermination()
        {
            return true;
        }

        @Override
        public boolean isAlive()
        {
            return 0 == kills.get();
        }

        @Override
        public int compareTo(final ProcessHandle other)
        {
            return Long.compare(pid(), other.pid());
        }
    }
}
