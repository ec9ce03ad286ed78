package io.conduit.wait;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Make idle strategies from configuration text: Agrona's own implementations for the classic strategies, and
 * {@link FutexIdleStrategy} / {@link HybridIdleStrategy} for the ones that sleep on a futex.
 * <p>
 * Grammar: {@code name[:key=value(,key=value)*]}, whitespace around tokens ignored, values unsigned decimal integers
 * up to {@link Long#MAX_VALUE} ({@code _} allowed between digits, as in {@code 1_000_000}). {@code spins} and
 * {@code yields} may be 0; {@code minParkNs}, {@code maxParkNs}, {@code periodNs}, {@code periodMs} and
 * {@code maxSleepNs} must be positive, and {@code minParkNs} must not exceed {@code maxParkNs}, defaults included;
 * {@code maxParkNs} is at most {@value #MAX_PARK_NS} (2^62 - 1: Agrona doubles the park with a shift that overflows
 * past it). Every parameter is optional.
 * <table>
 *     <caption>Names and parameters</caption>
 *     <tr><th>name</th><th>strategy</th><th>parameters (default)</th></tr>
 *     <tr><td>{@code busy-spin}</td><td>{@link BusySpinIdleStrategy}</td><td>none</td></tr>
 *     <tr><td>{@code noop}</td><td>{@link NoOpIdleStrategy}</td><td>none</td></tr>
 *     <tr><td>{@code yield}</td><td>{@link YieldingIdleStrategy}</td><td>none</td></tr>
 *     <tr><td>{@code backoff}</td><td>{@link BackoffIdleStrategy}</td><td>{@code spins} (10), {@code yields} (5),
 *     {@code minParkNs} (1000), {@code maxParkNs} (1000000)</td></tr>
 *     <tr><td>{@code sleep}</td><td>{@link SleepingIdleStrategy}, or {@link SleepingMillisIdleStrategy} with
 *     {@code periodMs}</td><td>{@code periodNs} (1000) or {@code periodMs}</td></tr>
 *     <tr><td>{@code futex}</td><td>{@link FutexIdleStrategy}</td><td>{@code maxSleepNs}
 *     ({@link FutexIdleStrategy#DEFAULT_MAX_SLEEP_NS})</td></tr>
 *     <tr><td>{@code hybrid}</td><td>{@link HybridIdleStrategy}</td><td>{@code spins} (1000), {@code yields} (100),
 *     {@code maxSleepNs} ({@link FutexIdleStrategy#DEFAULT_MAX_SLEEP_NS})</td></tr>
 * </table>
 * Examples: {@code backoff}, {@code backoff:spins=100,yields=10}, {@code sleep:periodMs=1},
 * {@code hybrid:spins=1000,yields=100}, {@code futex:maxSleepNs=100_000_000}.
 * <p>
 * The futex strategies need a {@link FutexWaiter} and {@link WaitCondition} bound to a ring; use
 * {@link #newIdleStrategy(String, FutexWaiter, WaitCondition)} for them, and {@link #isFutexBased(String)} to learn
 * whether a configuration needs one. Bad input throws {@link IllegalArgumentException} naming the text and the bad
 * token.
 * <p>
 * Threading: all methods may be called from any thread; each call returns a new strategy for one thread (the
 * stateless Agrona strategies are shared singletons).
 */
public final class IdleStrategies
{
    /**
     * Name of {@link BusySpinIdleStrategy}.
     */
    public static final String BUSY_SPIN = "busy-spin";

    /**
     * Name of {@link NoOpIdleStrategy}.
     */
    public static final String NO_OP = "noop";

    /**
     * Name of {@link YieldingIdleStrategy}.
     */
    public static final String YIELD = "yield";

    /**
     * Name of {@link BackoffIdleStrategy}.
     */
    public static final String BACKOFF = "backoff";

    /**
     * Name of {@link SleepingIdleStrategy} and {@link SleepingMillisIdleStrategy}.
     */
    public static final String SLEEP = "sleep";

    /**
     * Name of {@link FutexIdleStrategy}.
     */
    public static final String FUTEX = FutexIdleStrategy.ALIAS;

    /**
     * Name of {@link HybridIdleStrategy}.
     */
    public static final String HYBRID = HybridIdleStrategy.ALIAS;

    private static final String NAMES =
        BUSY_SPIN + ", " + NO_OP + ", " + YIELD + ", " + BACKOFF + ", " + SLEEP + ", " + FUTEX + ", " + HYBRID;

    private IdleStrategies()
    {
    }

    /**
     * Make a strategy that needs no futex binding.
     *
     * @param config configuration text, for example {@code backoff:spins=100}.
     * @return a new (or stateless shared) strategy.
     * @throws IllegalArgumentException if the text is malformed, or names {@code futex} or {@code hybrid}.
     */
    public static IdleStrategy newIdleStrategy(final String config)
    {
        return newIdleStrategy(config, null, null);
    }

    /**
     * Make a strategy; {@code futex} and {@code hybrid} sleep through {@code waiter} until {@code condition}.
     *
     * @param config    configuration text, for example {@code hybrid:spins=1000,yields=100}.
     * @param waiter    the ring's futex waiter; may be null unless the text names a futex strategy.
     * @param condition what the idle thread waits for; may be null unless the text names a futex strategy.
     * @return a new (or stateless shared) strategy.
     * @throws IllegalArgumentException if the text is malformed, or names a futex strategy without a binding.
     */
    public static IdleStrategy newIdleStrategy(
        final String config, final FutexWaiter waiter, final WaitCondition condition)
    {
        final String text = checkText(config);
        final int colon = text.indexOf(':');
        final String name = nameOf(text, colon);
        final Map<String, Long> params = parseParams(text, colon);

        switch (name)
        {
            case BUSY_SPIN:
                checkKeys(text, name, params);
                return BusySpinIdleStrategy.INSTANCE;

            case NO_OP:
                checkKeys(text, name, params);
                return NoOpIdleStrategy.INSTANCE;

            case YIELD:
                checkKeys(text, name, params);
                return YieldingIdleStrategy.INSTANCE;

            case BACKOFF:
                return newBackoff(text, params);

            case SLEEP:
                return newSleep(text, params);

            case FUTEX:
                checkKeys(text, name, params, "maxSleepNs");
                checkBinding(text, waiter, condition);
                return new FutexIdleStrategy(
                    waiter, condition, positive(text, params, "maxSleepNs", FutexIdleStrategy.DEFAULT_MAX_SLEEP_NS));

            case HYBRID:
                checkKeys(text, name, params, "spins", "yields", "maxSleepNs");
                checkBinding(text, waiter, condition);
                return new HybridIdleStrategy(
                    waiter,
                    condition,
                    params.getOrDefault("spins", HybridIdleStrategy.DEFAULT_MAX_SPINS),
                    params.getOrDefault("yields", HybridIdleStrategy.DEFAULT_MAX_YIELDS),
                    positive(text, params, "maxSleepNs", FutexIdleStrategy.DEFAULT_MAX_SLEEP_NS));

            default:
                throw new IllegalArgumentException(
                    "idle strategy \"" + text + "\": unknown name \"" + name + "\", expected one of " + NAMES);
        }
    }

    /**
     * Does this configuration name a strategy that sleeps on a futex ({@code futex} or {@code hybrid}), so that the
     * ring must be bound with a {@link FutexWaiter} and producers must signal? Checks the name only.
     *
     * @param config configuration text.
     * @return true for {@code futex} and {@code hybrid}.
     * @throws IllegalArgumentException if the text is empty or the name unknown.
     */
    public static boolean isFutexBased(final String config)
    {
        final String text = checkText(config);
        final String name = nameOf(text, text.indexOf(':'));
        switch (name)
        {
            case FUTEX:
            case HYBRID:
                return true;

            case BUSY_SPIN:
            case NO_OP:
            case YIELD:
            case BACKOFF:
            case SLEEP:
                return false;

            default:
                throw new IllegalArgumentException(
                    "idle strategy \"" + text + "\": unknown name \"" + name + "\", expected one of " + NAMES);
        }
    }

    /** Longest backoff park: Agrona doubles the park with a shift, which overflows past 2^62. */
    static final long MAX_PARK_NS = Long.MAX_VALUE >> 1;

    private static IdleStrategy newBackoff(final String text, final Map<String, Long> params)
    {
        checkKeys(text, BACKOFF, params, "spins", "yields", "minParkNs", "maxParkNs");
        // positive: a park of 0 returns at once, and doubling it stays 0, so the strategy would spin for ever
        final long minParkNs = positive(text, params, "minParkNs", BackoffIdleStrategy.DEFAULT_MIN_PARK_PERIOD_NS);
        final long maxParkNs = positive(text, params, "maxParkNs", BackoffIdleStrategy.DEFAULT_MAX_PARK_PERIOD_NS);
        if (maxParkNs > MAX_PARK_NS)
        {
            // Agrona doubles the park with a shift: past 2^62 it overflows to 0, and a park of 0 spins for ever
            throw new IllegalArgumentException("idle strategy \"" + text + "\": maxParkNs=" + maxParkNs +
                " exceeds " + MAX_PARK_NS + " (2^62 - 1: doubling a longer park overflows to a park of 0)");
        }
        if (minParkNs > maxParkNs)
        {
            throw new IllegalArgumentException(
                "idle strategy \"" + text + "\": minParkNs=" + minParkNs + " exceeds maxParkNs=" + maxParkNs);
        }

        return new BackoffIdleStrategy(
            params.getOrDefault("spins", BackoffIdleStrategy.DEFAULT_MAX_SPINS),
            params.getOrDefault("yields", BackoffIdleStrategy.DEFAULT_MAX_YIELDS),
            minParkNs,
            maxParkNs);
    }

    private static IdleStrategy newSleep(final String text, final Map<String, Long> params)
    {
        checkKeys(text, SLEEP, params, "periodNs", "periodMs");
        if (params.containsKey("periodNs") && params.containsKey("periodMs"))
        {
            throw new IllegalArgumentException(
                "idle strategy \"" + text + "\": give \"periodNs\" or \"periodMs\", not both");
        }

        if (params.containsKey("periodMs"))
        {
            return new SleepingMillisIdleStrategy(positive(text, params, "periodMs", 1));
        }

        return new SleepingIdleStrategy(
            positive(text, params, "periodNs", SleepingIdleStrategy.DEFAULT_SLEEP_PERIOD_NS));
    }

    private static String checkText(final String config)
    {
        if (null == config)
        {
            throw new IllegalArgumentException("idle strategy: configuration is null, expected one of " + NAMES);
        }

        final String text = config.trim();
        if (text.isEmpty())
        {
            throw new IllegalArgumentException("idle strategy: configuration is empty, expected one of " + NAMES);
        }

        return text;
    }

    private static String nameOf(final String text, final int colon)
    {
        final String name = (colon < 0 ? text : text.substring(0, colon)).trim();
        if (name.isEmpty())
        {
            throw new IllegalArgumentException(
                "idle strategy \"" + text + "\": missing name before ':', expected one of " + NAMES);
        }

        return name;
    }

    private static Map<String, Long> parseParams(final String text, final int colon)
    {
        final Map<String, Long> params = new LinkedHashMap<>();
        if (colon < 0)
        {
            return params;
        }

        final String list = text.substring(colon + 1);
        if (list.trim().isEmpty())
        {
            throw new IllegalArgumentException("idle strategy \"" + text + "\": no parameters after ':'");
        }

        for (final String rawToken : list.split(",", -1))
        {
            final String token = rawToken.trim();
            final int equals = token.indexOf('=');
            if (equals <= 0)
            {
                throw new IllegalArgumentException(
                    "idle strategy \"" + text + "\": bad parameter \"" + token + "\", expected key=value");
            }

            final String key = token.substring(0, equals).trim();
            final String value = token.substring(equals + 1).trim();
            if (null != params.put(key, parseValue(text, key, value)))
            {
                throw new IllegalArgumentException(
                    "idle strategy \"" + text + "\": parameter \"" + key + "\" given twice");
            }
        }

        return params;
    }

    private static long parseValue(final String text, final String key, final String value)
    {
        final String digits = value.replace("_", "");
        boolean valid = !digits.isEmpty() && !value.startsWith("_") && !value.endsWith("_");
        for (int i = 0, length = digits.length(); valid && i < length; i++)
        {
            final char c = digits.charAt(i);
            valid = c >= '0' && c <= '9';
        }

        if (valid)
        {
            try
            {
                return Long.parseLong(digits);
            }
            catch (final NumberFormatException ignore)
            {
                // too large: reported below
            }
        }

        throw new IllegalArgumentException(
            "idle strategy \"" + text + "\": bad value \"" + value + "\" for \"" + key +
            "\", expected a non-negative integer" + (valid ? " of at most " + Long.MAX_VALUE : ""));
    }

    private static void checkKeys(
        final String text, final String name, final Map<String, Long> params, final String... allowedKeys)
    {
        for (final String key : params.keySet())
        {
            boolean allowed = false;
            for (final String allowedKey : allowedKeys)
            {
                allowed |= allowedKey.equals(key);
            }

            if (!allowed)
            {
                throw new IllegalArgumentException(
                    "idle strategy \"" + text + "\": unknown parameter \"" + key + "\" for " + name +
                    (0 == allowedKeys.length ? ", which takes none" : ", expected one of " +
                    String.join(", ", allowedKeys)));
            }
        }
    }

    private static long positive(
        final String text, final Map<String, Long> params, final String key, final long defaultValue)
    {
        final Long value = params.get(key);
        if (null == value)
        {
            return defaultValue;
        }

        if (value <= 0)
        {
            throw new IllegalArgumentException(
                "idle strategy \"" + text + "\": \"" + key + "\" must be positive, was " + value);
        }

        return value;
    }

    private static void checkBinding(final String text, final FutexWaiter waiter, final WaitCondition condition)
    {
        if (null == waiter || null == condition)
        {
            throw new IllegalArgumentException(
                "idle strategy \"" + text + "\" sleeps on a futex and needs a FutexWaiter and WaitCondition bound " +
                "to a ring: use newIdleStrategy(config, waiter, condition)");
        }
    }
}
