package io.conduit.wait;

import org.agrona.concurrent.IdleStrategy;

import java.util.Objects;

/**
 * An Agrona {@link IdleStrategy} that spins, then yields, then sleeps in {@code FUTEX_WAIT}: the first
 * {@code maxSpins} idle calls after work call {@link Thread#onSpinWait()}, the next {@code maxYields} call
 * {@link Thread#yield()}, and every later one is a {@link FutexWaiter#await(WaitCondition, long)} of at most
 * {@code maxSleepNs}. Work ({@code idle(workCount > 0)}) or {@link #reset()} starts again at spinning.
 * <p>
 * Only the sleeping phase announces a waiter, so while this thread spins or yields the producer makes no system
 * call; no wake-up is lost when it sleeps (see {@link FutexWaiter}). With {@code maxSpins = maxYields = 0} it behaves
 * as {@link FutexIdleStrategy}.
 * <p>
 * Threading: like every Agrona idle strategy, one instance per thread.
 */
public final class HybridIdleStrategy implements IdleStrategy
{
    /**
     * Name of this strategy in configuration text and {@link #alias()}.
     */
    public static final String ALIAS = "hybrid";

    /**
     * Default number of spinning idle calls before yielding.
     */
    public static final long DEFAULT_MAX_SPINS = 1000;

    /**
     * Default number of yielding idle calls before sleeping.
     */
    public static final long DEFAULT_MAX_YIELDS = 100;

    private final FutexWaiter waiter;
    private final WaitCondition condition;
    private final long maxSpins;
    private final long maxYields;
    private final long maxSleepNs;
    private long spins;
    private long yields;

    /**
     * Spin {@link #DEFAULT_MAX_SPINS} times, yield {@link #DEFAULT_MAX_YIELDS} times, then sleep for at most
     * {@link FutexIdleStrategy#DEFAULT_MAX_SLEEP_NS} at a time.
     *
     * @param waiter    the futex word and waiters count the producer signals.
     * @param condition what the idle thread waits for.
     */
    public HybridIdleStrategy(final FutexWaiter waiter, final WaitCondition condition)
    {
        this(waiter, condition, DEFAULT_MAX_SPINS, DEFAULT_MAX_YIELDS, FutexIdleStrategy.DEFAULT_MAX_SLEEP_NS);
    }

    /**
     * Spin, yield, then sleep, with the given counts and bound.
     *
     * @param waiter     the futex word and waiters count the producer signals.
     * @param condition  what the idle thread waits for.
     * @param maxSpins   spinning idle calls before yielding, non-negative.
     * @param maxYields  yielding idle calls before sleeping, non-negative.
     * @param maxSleepNs longest single sleep in nanoseconds, positive.
     * @throws IllegalArgumentException if a count is negative or {@code maxSleepNs} is not positive.
     * @throws NullPointerException     if {@code waiter} or {@code condition} is null.
     */
    public HybridIdleStrategy(
        final FutexWaiter waiter,
        final WaitCondition condition,
        final long maxSpins,
        final long maxYields,
        final long maxSleepNs)
    {
        if (maxSpins < 0 || maxYields < 0)
        {
            throw new IllegalArgumentException(
                "maxSpins=" + maxSpins + " and maxYields=" + maxYields + " must not be negative");
        }

        this.waiter = Objects.requireNonNull(waiter, "waiter");
        this.condition = Objects.requireNonNull(condition, "condition");
        this.maxSpins = maxSpins;
        this.maxYields = maxYields;
        this.maxSleepNs = FutexIdleStrategy.checkMaxSleepNs(maxSleepNs);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
            return;
        }

        idle();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void idle()
    {
        if (spins < maxSpins)
        {
            spins++;
            Thread.onSpinWait();
        }
        else if (yields < maxYields)
        {
            yields++;
            Thread.yield();
        }
        else
        {
            waiter.await(condition, maxSleepNs);
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void reset()
    {
        spins = 0;
        yields = 0;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String alias()
    {
        return ALIAS;
    }

    /**
     * Spinning idle calls before yielding.
     *
     * @return the count.
     */
    public long maxSpins()
    {
        return maxSpins;
    }

    /**
     * Yielding idle calls before sleeping.
     *
     * @return the count.
     */
    public long maxYields()
    {
        return maxYields;
    }

    /**
     * Longest single sleep.
     *
     * @return nanoseconds.
     */
    public long maxSleepNs()
    {
        return maxSleepNs;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "HybridIdleStrategy{alias=" + ALIAS + ", maxSpins=" + maxSpins + ", maxYields=" + maxYields +
            ", maxSleepNs=" + maxSleepNs + ", native=" + Futex.isNative() + "}";
    }
}
