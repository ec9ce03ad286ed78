package io.conduit.perf.harness;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds the parent's blocking kernel calls (a blocking socket's or a FIFO's read or write), which a {@link Watchdog}
 * cannot: a thread parked in the kernel never comes back to a check. Armed around such a loop, it kills the peer
 * process at the watchdog's deadline; the kernel then closes the peer's ends, so a blocked read returns end of stream
 * and a blocked write fails, and {@link #failure} turns what that threw into a timeout naming what was waited for.
 * The harness starts a fresh child after it, as after any failure. Without a peer process (a test's own peer) nothing
 * is killed and the loop is not bounded.
 * <p>
 * The kill and the loop's end race: a loop that ends within moments of the deadline may find the kill already
 * running. One state, {@code ARMED}, then either {@code FIRED} (the kill won) or {@code DISARMED} (the loop's end
 * won), each taken by compare-and-set, decides it: a loop whose {@link #disarm} or {@link #failure} loses waits for
 * the kill to finish and fails the rep with the deadline's message, so no rep returns normally with its peer killed
 * behind it.
 * <p>
 * The timer is one daemon thread, started by {@link #startTimer()} before the first repetition, so that it never
 * counts as a helper thread of a system ({@link ThreadCpu}). Arming costs a scheduled task per repetition, nothing per
 * message.
 * <p>
 * Threading: armed, disarmed, asked and closed on one thread; the kill runs on the timer's.
 * <p>
 * Memory ordering: the kill's CAS of {@code ARMED} to {@code FIRED} → the loop's failed CAS, which then awaits the
 * kill's latch; the kill's {@code destroyForcibly} → latch count-down → the loop's await.
 */
final class BlockingDeadline implements AutoCloseable
{
    private static final ScheduledThreadPoolExecutor TIMER = timer();
    private static final int ARMED = 0;
    private static final int FIRED = 1;
    private static final int DISARMED = 2;

    private final Watchdog watchdog;
    private final AtomicInteger state;
    private final CountDownLatch killed = new CountDownLatch(1);
    private final ScheduledFuture<?> kill;

    private BlockingDeadline(final Watchdog watchdog, final boolean scheduled)
    {
        this.watchdog = watchdog;
        // without a peer there is nothing to kill: the deadline starts disarmed
        state = new AtomicInteger(null == watchdog.peer() ? DISARMED : ARMED);
        kill = null == watchdog.peer() || !scheduled ?
            null : TIMER.schedule(this::fire, Math.max(0, watchdog.remainingNs()), TimeUnit.NANOSECONDS);
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
     * @return a deadline that kills the watchdog's peer when it passes, until disarmed or closed.
     */
    static BlockingDeadline arm(final Watchdog watchdog)
    {
        return new BlockingDeadline(watchdog, true);
    }

    /**
     * For tests: a deadline armed but never scheduled, so that a test runs {@link #fire} and the loop's side in the
     * order it chooses.
     *
     * @param watchdog whose peer process to kill.
     * @return an armed deadline with no timer task.
     */
    static BlockingDeadline armUnscheduled(final Watchdog watchdog)
    {
        return new BlockingDeadline(watchdog, false);
    }

    /**
     * The timer's task at the deadline: kill the peer, unless the loop disarmed first; then let a loop waiting in
     * {@link #disarm}, {@link #failure} or {@link #close} go on. Package-private so that a test can run it when it
     * chooses.
     */
    void fire()
    {
        if (state.compareAndSet(ARMED, FIRED))
        {
            try
            {
                watchdog.peer().destroyForcibly();
            }
            finally
            {
                killed.countDown();
            }
        }
    }

    /**
     * After the loop ended normally: disarm, or, if the deadline fired first, wait for the kill and fail the rep.
     *
     * @throws IOException naming the deadline if the peer was killed, even though the loop finished.
     */
    void disarm() throws IOException
    {
        if (!tryDisarm())
        {
            throw new IOException(watchdog.timedOut() + " (the round trips ended just as the deadline passed, " +
                "which killed the peer process pid=" + watchdog.peer().pid() + ")");
        }
    }

    /**
     * After the loop threw: disarm, or, if the deadline fired first, wait for the kill and name the deadline.
     *
     * @param ex what the blocking loop threw.
     * @return if the deadline killed the peer, a timeout naming what was waited for and the peer, caused by
     * {@code ex}; else {@code ex}.
     */
    IOException failure(final IOException ex)
    {
        if (tryDisarm())
        {
            return ex;
        }
        return new IOException(watchdog.timedOut() + " (blocked in the kernel at the deadline: the peer process " +
            "pid=" + watchdog.peer().pid() + " was killed to end the wait)", ex);
    }

    /**
     * Disarm, if {@link #disarm} or {@link #failure} has not: the peer is no longer killed at the deadline; if the
     * kill already started, wait for it to finish, so that it never outlives the rep.
     */
    @Override
    public void close()
    {
        tryDisarm();
    }

    /**
     * @return true if the deadline is disarmed (now or before); false if it fired, once its kill has finished.
     */
    private boolean tryDisarm()
    {
        if (state.compareAndSet(ARMED, DISARMED))
        {
            if (null != kill)
            {
                kill.cancel(false);
            }
            return true;
        }
        if (DISARMED == state.get())
        {
            return true;
        }
        awaitKill();
        return false;
    }

    private void awaitKill()
    {
        boolean interrupted = false;
        while (true)
        {
            try
            {
                killed.await();
                break;
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }
}
