package io.conduit.wait;

import org.agrona.concurrent.IdleStrategy;

import java.util.Objects;

/**
 * An Agrona {@link IdleStrategy} that sleeps in {@code FUTEX_WAIT} at once whenever there is no work: lowest CPU use,
 * wake-up latency of a futex wake (a context switch). Each {@link #idle()} is one
 * {@link FutexWaiter#await(WaitCondition, long)}: announce, re-check {@code condition}, sleep for at most
 * {@link #maxSleepNs()}. No wake-up is lost (see {@link FutexWaiter}; where this process must bound its sleeps, one
 * may be late by up to 1 ms, see {@link AsymmetricFence#mustBoundSleeps()}); the bounded sleep only lets the
 * caller's loop notice close flags, interrupts and dead peers.
 * <p>
 * Use {@link HybridIdleStrategy} to spin and yield before sleeping.
 * <p>
 * Threading: like every Agrona idle strategy, one instance per thread.
 */
public final class FutexIdleStrategy implements IdleStrategy
{
    /**
     * Name of this strategy in configuration text and {@link #alias()}.
     */
    public static final String ALIAS = "futex";

    /**
     * System property: default longest single futex sleep, in nanoseconds, for the futex and hybrid strategies.
     */
    public static final String MAX_SLEEP_NS_PROP_NAME = "conduit.wait.futex.max.sleep.ns";

    /**
     * Default longest single futex sleep: {@value #MAX_SLEEP_NS_PROP_NAME}, else 1 s. No wake-up is lost, so the
     * bound only limits how long a sleeper takes to notice an interrupt or a dead peer; a thread closing a channel
     * should set its flag and then {@link FutexWaker#signal} to wake the sleeper at once.
     */
    public static final long DEFAULT_MAX_SLEEP_NS;

    static
    {
        final long defaultMaxSleepNs = 1_000_000_000L; // each timed wake-up costs ~150 us of CPU on a VM
        final String text = System.getProperty(MAX_SLEEP_NS_PROP_NAME);
        long value = defaultMaxSleepNs;
        if (null != text)
        {
            try
            {
                value = Long.parseLong(text.trim());
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException(MAX_SLEEP_NS_PROP_NAME + "=" + text + " is not an integer", ex);
            }
            if (value <= 0)
            {
                throw new IllegalArgumentException(MAX_SLEEP_NS_PROP_NAME + "=" + text + " must be positive");
            }
        }
        DEFAULT_MAX_SLEEP_NS = value;
    }

    private final FutexWaiter waiter;
    private final WaitCondition condition;
    private final long maxSleepNs;

    /**
     * Sleep for at most {@link #DEFAULT_MAX_SLEEP_NS} at a time.
     *
     * @param waiter    the futex word and waiters count the producer signals.
     * @param condition what the idle thread waits for (for example "the ring holds a record").
     */
    public FutexIdleStrategy(final FutexWaiter waiter, final WaitCondition condition)
    {
        this(waiter, condition, DEFAULT_MAX_SLEEP_NS);
    }

    /**
     * Sleep for at most {@code maxSleepNs} at a time.
     *
     * @param waiter     the futex word and waiters count the producer signals.
     * @param condition  what the idle thread waits for (for example "the ring holds a record").
     * @param maxSleepNs longest single sleep in nanoseconds, positive ({@link Futex#NO_TIMEOUT} for unbounded).
     * @throws IllegalArgumentException if {@code maxSleepNs} is not positive.
     * @throws NullPointerException     if {@code waiter} or {@code condition} is null.
     */
    public FutexIdleStrategy(final FutexWaiter waiter, final WaitCondition condition, final long maxSleepNs)
    {
        this.waiter = Objects.requireNonNull(waiter, "waiter");
        this.condition = Objects.requireNonNull(condition, "condition");
        this.maxSleepNs = checkMaxSleepNs(maxSleepNs);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            return;
        }

        waiter.await(condition, maxSleepNs);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void idle()
    {
        waiter.await(condition, maxSleepNs);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void reset()
    {
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
        return "FutexIdleStrategy{alias=" + ALIAS + ", maxSleepNs=" + maxSleepNs + ", native=" + Futex.isNative() + "}";
    }

    static long checkMaxSleepNs(final long maxSleepNs)
    {
        if (maxSleepNs <= 0)
        {
            throw new IllegalArgumentException("maxSleepNs=" + maxSleepNs + " must be positive");
        }

        return maxSleepNs;
    }
}
