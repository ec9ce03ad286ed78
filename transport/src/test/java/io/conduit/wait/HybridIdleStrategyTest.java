package io.conduit.wait;

import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HybridIdleStrategyTest
{
    private static final long MAX_SLEEP_NS = 1_000_000;

    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
    private final FutexWaiter waiter = new FutexWaiter(buffer, 0, 4);
    private final CountingCondition condition = new CountingCondition();

    @Test
    void shouldSpinThenYieldThenSleep()
    {
        final HybridIdleStrategy strategy = new HybridIdleStrategy(waiter, condition, 2, 1, MAX_SLEEP_NS);

        strategy.idle(0);
        strategy.idle(0);
        strategy.idle(0);
        assertEquals(0, condition.checks, "spinning and yielding must not announce a waiter");

        strategy.idle(0);
        assertEquals(1, condition.checks);
        strategy.idle();
        assertEquals(2, condition.checks);
    }

    @Test
    void shouldStartAgainAfterWork()
    {
        final HybridIdleStrategy strategy = new HybridIdleStrategy(waiter, condition, 1, 1, MAX_SLEEP_NS);

        strategy.idle(0);
        strategy.idle(0);
        strategy.idle(0);
        assertEquals(1, condition.checks);

        strategy.idle(5);
        strategy.idle(0);
        strategy.idle(0);
        assertEquals(1, condition.checks);

        strategy.reset();
        strategy.idle(0);
        assertEquals(1, condition.checks);
    }

    @Test
    void shouldSleepAtOnceWithoutSpinsOrYields()
    {
        final HybridIdleStrategy hybrid = new HybridIdleStrategy(waiter, condition, 0, 0, MAX_SLEEP_NS);
        final FutexIdleStrategy futex = new FutexIdleStrategy(waiter, condition, MAX_SLEEP_NS);

        hybrid.idle(0);
        futex.idle(0);
        futex.idle(1);
        futex.idle();

        assertEquals(3, condition.checks);
        assertEquals(0, buffer.getIntVolatile(4));
    }

    /**
     * Spins and yields spent, a strategy whose condition never holds sleeps until its longest sleep has passed, and no
     * longer: 20 ms here, against a default of 1 s (below 900 ms: the rest is the machine's margin, and the default
     * still fails it).
     */
    @Test
    void shouldSleepForTheLongestSleepGivenWhenNobodyWakesIt()
    {
        final long maxSleepNs = TimeUnit.MILLISECONDS.toNanos(20);
        final FutexWaiter unbounded = new FutexWaiter(buffer, 0, 4, false); // as long as asked, with membarrier or not
        final IdleStrategy hybrid = new HybridIdleStrategy(unbounded, () -> false, 1, 1, maxSleepNs);
        final IdleStrategy futex = new FutexIdleStrategy(unbounded, () -> false, maxSleepNs);
        hybrid.idle(0); // the spin
        hybrid.idle(0); // the yield

        for (final IdleStrategy strategy : new IdleStrategy[]{hybrid, futex})
        {
            final long startNs = System.nanoTime();
            strategy.idle(0);
            final long sleptNs = System.nanoTime() - startNs;
            assertTrue(sleptNs >= maxSleepNs - TimeUnit.MILLISECONDS.toNanos(1) &&
                sleptNs < TimeUnit.MILLISECONDS.toNanos(900), strategy + " slept " + sleptNs + " ns");
        }
        assertEquals(0, buffer.getIntVolatile(4), "withdrawn after each sleep");
    }

    @Test
    void shouldRejectBadParameters()
    {
        assertThrows(IllegalArgumentException.class, () -> new HybridIdleStrategy(waiter, condition, -1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new HybridIdleStrategy(waiter, condition, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new FutexIdleStrategy(waiter, condition, -5));
        assertThrows(NullPointerException.class, () -> new FutexIdleStrategy(null, condition));
    }

    private static final class CountingCondition implements WaitCondition
    {
        int checks;

        @Override
        public boolean isSatisfied()
        {
            checks++;
            return true;
        }
    }
}
