package io.conduit.wait;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdleStrategiesTest
{
    private final FutexWaiter waiter = new FutexWaiter(new UnsafeBuffer(ByteBuffer.allocateDirect(64)), 0, 4);
    private final WaitCondition condition = () -> true;

    @Test
    void shouldMakeAgronaStrategiesByName()
    {
        assertSame(BusySpinIdleStrategy.INSTANCE, IdleStrategies.newIdleStrategy("busy-spin"));
        assertSame(NoOpIdleStrategy.INSTANCE, IdleStrategies.newIdleStrategy("noop"));
        assertSame(YieldingIdleStrategy.INSTANCE, IdleStrategies.newIdleStrategy(" yield "));
        assertInstanceOf(BackoffIdleStrategy.class, IdleStrategies.newIdleStrategy("backoff"));
        assertInstanceOf(SleepingIdleStrategy.class, IdleStrategies.newIdleStrategy("sleep"));
    }

    @Test
    void shouldApplyBackoffParameters()
    {
        final IdleStrategy strategy = IdleStrategies.newIdleStrategy(
            "backoff: spins=100, yields=10, minParkNs=2_000, maxParkNs=1_000_000");

        assertEquals(
            "BackoffIdleStrategy{alias=backoff, maxSpins=100, maxYields=10, minParkPeriodNs=2000, " +
            "maxParkPeriodNs=1000000}",
            strategy.toString());
    }

    @Test
    void shouldApplySleepParameters()
    {
        final IdleStrategy nanos = IdleStrategies.newIdleStrategy("sleep:periodNs=5000");
        final IdleStrategy millis = IdleStrategies.newIdleStrategy("sleep:periodMs=2");

        assertEquals("SleepingIdleStrategy{alias=sleep-ns, sleepPeriodNs=5000}", nanos.toString());
        assertInstanceOf(SleepingMillisIdleStrategy.class, millis);
        assertEquals("SleepingMillisIdleStrategy{alias=sleep-ms, sleepPeriodMs=2}", millis.toString());
    }

    @Test
    void shouldMakeFutexStrategiesWithBinding()
    {
        final FutexIdleStrategy futex = (FutexIdleStrategy)IdleStrategies.newIdleStrategy(
            "futex:maxSleepNs=5_000_000", waiter, condition);
        final HybridIdleStrategy hybrid = (HybridIdleStrategy)IdleStrategies.newIdleStrategy(
            "hybrid:spins=1000,yields=100", waiter, condition);
        final HybridIdleStrategy defaults = (HybridIdleStrategy)IdleStrategies.newIdleStrategy(
            "hybrid", waiter, condition);
        final HybridIdleStrategy sleepy = (HybridIdleStrategy)IdleStrategies.newIdleStrategy(
            "hybrid:maxSleepNs=7_000_000", waiter, condition);

        assertEquals(5_000_000, futex.maxSleepNs());
        assertEquals("futex", futex.alias());
        assertEquals(1000, hybrid.maxSpins());
        assertEquals(100, hybrid.maxYields());
        assertEquals(FutexIdleStrategy.DEFAULT_MAX_SLEEP_NS, hybrid.maxSleepNs());
        assertEquals(HybridIdleStrategy.DEFAULT_MAX_SPINS, defaults.maxSpins());
        assertEquals(HybridIdleStrategy.DEFAULT_MAX_YIELDS, defaults.maxYields());
        assertEquals(7_000_000, sleepy.maxSleepNs());
    }

    @Test
    void shouldTellWhichStrategiesAreFutexBased()
    {
        assertTrue(IdleStrategies.isFutexBased("futex"));
        assertTrue(IdleStrategies.isFutexBased("hybrid:spins=1"));
        assertFalse(IdleStrategies.isFutexBased("backoff"));
        assertFalse(IdleStrategies.isFutexBased("busy-spin"));
        assertThrows(IllegalArgumentException.class, () -> IdleStrategies.isFutexBased("nap"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "nap                          | unknown name \"nap\"",
        "backoff:spins=x              | bad value \"x\" for \"spins\"",
        "backoff:spins=-1             | bad value \"-1\" for \"spins\"",
        "backoff:spins=99999999999999999999 | bad value \"99999999999999999999\"",
        "backoff:spins                | bad parameter \"spins\"",
        "backoff:=5                   | bad parameter \"=5\"",
        "backoff:spins=1,,yields=2    | bad parameter \"\"",
        "backoff:spins=1,spins=2      | \"spins\" given twice",
        "backoff:naps=1               | unknown parameter \"naps\" for backoff",
        "backoff:minParkNs=10,maxParkNs=5 | minParkNs=10 exceeds maxParkNs=5",
        "busy-spin:spins=1            | unknown parameter \"spins\" for busy-spin, which takes none",
        "backoff:                     | no parameters after ':'",
        ":spins=1                     | missing name",
        "sleep:periodNs=1,periodMs=1  | not both",
        "sleep:periodNs=1_            | bad value \"1_\"",
        "hybrid:spins=1,sleeps=2      | unknown parameter \"sleeps\" for hybrid",
        // docs/WAITING.md, "Configuration text": each value just outside its range, or not a plain unsigned integer
        "backoff:spins=9223372036854775808  | bad value \"9223372036854775808\" for \"spins\", " +
            "expected a non-negative integer of at most 9223372036854775807",
        "backoff:yields=-1                  | bad value \"-1\" for \"yields\", expected a non-negative integer",
        "backoff:spins=+1                   | bad value \"+1\" for \"spins\", expected a non-negative integer",
        "backoff:spins=1.5                  | bad value \"1.5\" for \"spins\", expected a non-negative integer",
        "backoff:spins=0x10                 | bad value \"0x10\" for \"spins\", expected a non-negative integer",
        "backoff:spins=1 000                | bad value \"1 000\" for \"spins\", expected a non-negative integer",
        "backoff:spins=_1                   | bad value \"_1\" for \"spins\", expected a non-negative integer",
        "backoff:spins=_                    | bad value \"_\" for \"spins\", expected a non-negative integer",
        "backoff:spins=                     | bad value \"\" for \"spins\", expected a non-negative integer",
        "backoff:minParkNs=0                | \"minParkNs\" must be positive, was 0",
        "backoff:maxParkNs=0                | \"maxParkNs\" must be positive, was 0",
        "backoff:minParkNs=1000001          | minParkNs=1000001 exceeds maxParkNs=1000000",
        "backoff:maxParkNs=999              | minParkNs=1000 exceeds maxParkNs=999",
        "backoff:minParkNs=6,maxParkNs=5    | minParkNs=6 exceeds maxParkNs=5",
        "backoff:maxParkNs=4611686018427387904 | maxParkNs=4611686018427387904 exceeds 4611686018427387903 " +
            "(2^62 - 1: doubling a longer park overflows to a park of 0)",
        "sleep:periodNs=0                   | \"periodNs\" must be positive, was 0",
        "sleep:periodMs=0                   | \"periodMs\" must be positive, was 0",
        "futex:maxSleepNs=0                 | \"maxSleepNs\" must be positive, was 0",
        "futex:maxSleepNs=-1                | bad value \"-1\" for \"maxSleepNs\", expected a non-negative integer",
        "hybrid:maxSleepNs=0                | \"maxSleepNs\" must be positive, was 0",
        "hybrid:spins=-1                    | bad value \"-1\" for \"spins\", expected a non-negative integer",
        "hybrid:yields=99999999999999999999 | bad value \"99999999999999999999\" for \"yields\", " +
            "expected a non-negative integer",
    })
    void shouldRejectBadConfigurationNamingTheToken(final String config, final String expectedMessagePart)
    {
        final IllegalArgumentException ex = assertThrows(
            IllegalArgumentException.class, () -> IdleStrategies.newIdleStrategy(config, waiter, condition));

        // the whole text quoted first, then what is wrong with it, naming the parameter and the value given
        final String prefix = "idle strategy \"" + config + "\": ";
        assertTrue(ex.getMessage().startsWith(prefix) && ex.getMessage().contains(expectedMessagePart),
            ex.getMessage());
    }

    /**
     * docs/WAITING.md, "Configuration text": a value runs from 0 to {@code Long.MAX_VALUE}; {@code spins} and
     * {@code yields} may be 0; the park, period and sleep values need only be positive; {@code minParkNs} may equal
     * {@code maxParkNs}, and each may meet the other's default. Every edge is taken as given.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "backoff:spins=0,yields=0,minParkNs=1,maxParkNs=1 | " +
            "BackoffIdleStrategy{alias=backoff, maxSpins=0, maxYields=0, minParkPeriodNs=1, maxParkPeriodNs=1}",
        "backoff:spins=9223372036854775807,yields=9_223_372_036_854_775_807,maxParkNs=4611686018427387903 | " +
            "BackoffIdleStrategy{alias=backoff, maxSpins=9223372036854775807, maxYields=9223372036854775807, " +
            "minParkPeriodNs=1000, maxParkPeriodNs=4611686018427387903}",
        "backoff:minParkNs=1000000 | " +
            "BackoffIdleStrategy{alias=backoff, maxSpins=10, maxYields=5, minParkPeriodNs=1000000, " +
            "maxParkPeriodNs=1000000}",
        "backoff:maxParkNs=1000 | " +
            "BackoffIdleStrategy{alias=backoff, maxSpins=10, maxYields=5, minParkPeriodNs=1000, maxParkPeriodNs=1000}",
        "sleep:periodNs=1 | SleepingIdleStrategy{alias=sleep-ns, sleepPeriodNs=1}",
        "sleep:periodNs=9223372036854775807 | SleepingIdleStrategy{alias=sleep-ns, sleepPeriodNs=9223372036854775807}",
        "sleep:periodMs=1 | SleepingMillisIdleStrategy{alias=sleep-ms, sleepPeriodMs=1}",
    })
    void shouldAcceptTheEdgesOfEachDocumentedRange(final String config, final String expected)
    {
        assertEquals(expected, IdleStrategies.newIdleStrategy(config).toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "futex:maxSleepNs=1                                            | -1                  | -1                  | 1",
        "futex:maxSleepNs=9223372036854775807                          | -1                  | -1                  | " +
            "9223372036854775807",
        "hybrid:spins=0,yields=0,maxSleepNs=1                          | 0                   | 0                   | 1",
        "hybrid:spins=9223372036854775807,yields=9223372036854775807   | 9223372036854775807 | 9223372036854775807 | " +
            "-1",
    })
    void shouldAcceptTheEdgesOfTheFutexStrategiesRanges(
        final String config, final long spins, final long yields, final long maxSleepNs)
    {
        // -1: a value the strategy does not take (futex), or left at its default (hybrid's sleep)
        final IdleStrategy strategy = IdleStrategies.newIdleStrategy(config, waiter, condition);
        final long expectedSleepNs = -1 == maxSleepNs ? FutexIdleStrategy.DEFAULT_MAX_SLEEP_NS : maxSleepNs;
        if (config.startsWith("hybrid"))
        {
            final HybridIdleStrategy hybrid = assertInstanceOf(HybridIdleStrategy.class, strategy);
            assertEquals(spins, hybrid.maxSpins());
            assertEquals(yields, hybrid.maxYields());
            assertEquals(expectedSleepNs, hybrid.maxSleepNs());
        }
        else
        {
            assertEquals(expectedSleepNs, assertInstanceOf(FutexIdleStrategy.class, strategy).maxSleepNs());
        }
    }

    @Test
    void shouldRejectEmptyOrNullConfiguration()
    {
        assertThrows(IllegalArgumentException.class, () -> IdleStrategies.newIdleStrategy(null));
        final IllegalArgumentException ex = assertThrows(
            IllegalArgumentException.class, () -> IdleStrategies.newIdleStrategy("   "));

        assertTrue(ex.getMessage().contains("empty"), ex.getMessage());
    }

    @Test
    void shouldRejectFutexStrategyWithoutBinding()
    {
        final IllegalArgumentException ex = assertThrows(
            IllegalArgumentException.class, () -> IdleStrategies.newIdleStrategy("hybrid:spins=10"));

        assertTrue(ex.getMessage().contains("FutexWaiter"), ex.getMessage());
    }
}
