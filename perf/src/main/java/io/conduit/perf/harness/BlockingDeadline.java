package io.conduit.perf.harness;

import java.io.IOException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Bounds the parent's blocking kernel calls (a blocking socket's or a FIFO's read or write), which a {@link Watchdog}
 * cannot: a thread parked in the kernel never comes back to a check. Armed around such a loop, it kills the peer
 * process at the watchdog's deadline; the kernel then closes the peer's ends, so a blocked read returns end of stream
 * and a blocked write fails, and {@link #failure} turns what that threw into a timeout naming what was waited for.
 * The harness starts a fresh child after it, as after any failure. Without a peer process (a test's own peer) nothing
 * is killed and the loop is not bounded.
 * <p>
 * The timer is one daemon thread, started by {@link #startTimer()} before the first repetition, so that it never
 * counts as a helper thread of a system ({@link ThreadCpu}). Arming costs a scheduled task per repetition, nothing per
 * message.
 * <p>
 * Threading: armed, asked and closed on one thread; the kill runs on the timer's.
 */
final class BlockingDeadline implements AutoCloseable
{
    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private final Watchdog watchdog;
    private final AtomicBoolean fired = new AtomicBoolean();
    private final ScheduledFuture<?> kill;

    private BlockingDeadline(final Watchdog watchdog)
    {
        this.watchdog = watchdog;
        final ProcessHandle peer = watchdog.peer();
        kill = null == peer ? null : TIMER.schedule(() ->
        {
            fired.set(true);
            peer.destroyForcibly();
        }, Math.max(0, watchdog.remainingNs()), TimeUnit.NANOSECONDS);
    }

    private static ScheduledThreadPoolExecutor timer()
    {
        final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, task ->
        {
            final Thread thread = new Thread(task, "harness-blocking-deadline");
            thread.setDaemon(true);
            return thread;
        });
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    /**
     * Start the timer's thread, if it is not running yet.
     */
    static void startTimer()
    {
        TIMER.prestartAllCoreThreads();
    }

    /**
     * @param watchdog whose deadline and peer process to use.
     * @return a deadline that kills the watchdog's peer when it passes, until closed.
     */
    static BlockingDeadline arm(final Watchdog watchdog)
    {
        return new BlockingDeadline(watchdog);
    }

    /**
     * @param ex what the blocking loop threw.
     * @return if the deadline killed the peer, a timeout naming what was waited for and the peer, caused by
     * {@code ex}; else {@code ex}.
     */
    IOException failure(final IOException ex)
    {
        if (!fired.get())
        {
            return ex;
        }
        return new IOException(watchdog.timedOut() + " (blocked in the kernel at the deadline: the peer process pid=" +
            watchdog.peer().pid() + " was killed to end the wait)", ex);
    }

    /**
     * Disarm: the peer is no longer killed at the deadline.
     */
    @Override
    public void close()
    {
        if (null != kill)
        {
            kill.cancel(false);
        }
    }
}
