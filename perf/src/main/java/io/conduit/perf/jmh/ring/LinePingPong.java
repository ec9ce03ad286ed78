package io.conduit.perf.jmh.ring;

import com.sun.jna.Platform;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The two-thread floor for {@link RingThroughputBenchmark}: two threads, pinned as its producer and consumer are,
 * ping-pong one counter on a line of its own, one thread storing odd values and the other answering with the next
 * even one. A round trip is two line transfers between the two CPUs and nothing else. On a VM whose host moves the
 * vCPUs the floor jumps between levels from minute to minute (two hardware threads of one core hand a line over in
 * far less time than two cores do): {@link io.conduit.perf.jmh.PairedRuns} {@code --floor} measures it before each
 * fork, to show whether a run's ratios move with it.
 * <p>
 * Memory ordering: each release store of a value pairs with the other thread's acquire load of it.
 * <p>
 * Threading: {@link #medianRoundTripNs} starts and joins its own two threads; it allocates (threads, samples), so it
 * runs between forks, never inside a measurement.
 */
public final class LinePingPong
{
    private static final VarHandle COUNTER = MethodHandles.arrayElementVarHandle(long[].class);
    // the counter's index in a long[]: 128 bytes of the array either side of it, so that it has its line, and its
    // prefetch pair's neighbour, to itself
    private static final int INDEX = 16;
    private static final int LENGTH = 2 * INDEX + 1;
    private static final long ANSWER_TIMEOUT_NS = 10_000_000_000L;
    /** The system property naming the benchmark's two CPUs ({@code P,C} or {@code none}). */
    public static final String CPUS_PROP_NAME = ThreadAffinity.CPUS_PROP_NAME;

    private LinePingPong()
    {
    }

    /**
     * The CPUs the probe pins its two threads to, as {@link ThreadAffinity#cpus()} reads
     * {@value ThreadAffinity#CPUS_PROP_NAME}, but from the value given: the one a benchmark's forks get.
     *
     * @param value the property's value for the forks ({@code P,C} or {@code none}), or null for the default (the
     *              first two CPUs this JVM may use).
     * @return {ping's CPU, echo's CPU}, or null to pin nothing.
     * @throws IllegalArgumentException if the value names no two distinct CPUs and is not {@code none}.
     */
    public static int[] cpus(final String value)
    {
        return null == value ? ThreadAffinity.cpus() : ThreadAffinity.parse(value, Platform.isLinux());
    }

    /**
     * Ping-pong {@code warmUpSamples + samples} samples of {@code roundTripsPerSample} round trips each, between
     * threads pinned to {@code cpus}. Pinning the kernel refuses fails the probe where the CPUs were named
     * ({@code named}), else the probe runs unpinned with a warning on standard error, as the benchmark does.
     *
     * @param cpus                {ping's CPU, echo's CPU}, or null to pin nothing.
     * @param named               whether the CPUs were named, so that a refusal to pin must fail the probe.
     * @param samples             samples measured, at least 1.
     * @param roundTripsPerSample round trips timed together per sample, at least 1.
     * @param warmUpSamples       samples run first and not measured, at least 0.
     * @return the median over the samples of the mean round trip within a sample, in nanoseconds.
     * @throws IllegalArgumentException if a count is out of range.
     * @throws IllegalStateException    if nothing is pinned and this JVM has fewer than two CPUs (each round trip
     *                                  would be a scheduler's time slice), a named CPU cannot be pinned to, or a
     *                                  thread waits 10 s for an answer.
     * @throws InterruptedException     if interrupted while waiting for the probe's threads.
     */
    public static double medianRoundTripNs(
        final int[] cpus,
        final boolean named,
        final int samples,
        final int roundTripsPerSample,
        final int warmUpSamples)
        throws InterruptedException
    {
        if (samples < 1 || roundTripsPerSample < 1 || warmUpSamples < 0)
        {
            throw new IllegalArgumentException("samples=" + samples + " roundTripsPerSample=" + roundTripsPerSample +
                " warmUpSamples=" + warmUpSamples + ": expected samples >= 1, roundTripsPerSample >= 1 and " +
                "warmUpSamples >= 0");
        }
        if (null == cpus && Runtime.getRuntime().availableProcessors() < 2)
        {
            throw new IllegalStateException("the floor needs two CPUs, this JVM has " +
                Runtime.getRuntime().availableProcessors());
        }
        final long[] line = new long[LENGTH];
        final long roundTrips = (long)(samples + warmUpSamples) * roundTripsPerSample;
        // the first failure of either thread: the other sees it at its next poll and stops
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final double[] sampleNs = new double[samples];
        final Thread echo = new Thread(() -> run(failure, cpus, named, 1, () -> echo(line, roundTrips, failure)),
            "conduit-floor-echo");
        final Thread ping = new Thread(() -> run(failure, cpus, named, 0,
            () -> ping(line, samples, roundTripsPerSample, warmUpSamples, sampleNs, failure)), "conduit-floor-ping");
        echo.setDaemon(true);
        ping.setDaemon(true);
        echo.start();
        try
        {
            ping.start();
        }
        catch (final Throwable ex)
        {
            failure.compareAndSet(null, ex); // the echo thread stops at its next look
            echo.join();
            throw ex;
        }
        ping.join();
        echo.join();
        final long last = (long)COUNTER.getAcquire(line, INDEX);
        if (null == failure.get() && 2 * roundTrips != last)
        {
            // every ping answered once, in turn: the sample times are of round trips, not of one thread alone
            failure.set(new IllegalStateException("floor probe: ended at " + last + ", expected " + 2 * roundTrips));
        }
        final Throwable cause = failure.get();
        if (cause instanceof RuntimeException)
        {
            throw (RuntimeException)cause;
        }
        if (cause instanceof Error)
        {
            throw (Error)cause;
        }
        Arrays.sort(sampleNs);
        return 0 == (samples & 1) ?
            (sampleNs[samples / 2 - 1] + sampleNs[samples / 2]) / 2 : sampleNs[samples / 2];
    }

    private static void run(
        final AtomicReference<Throwable> failure,
        final int[] cpus,
        final boolean named,
        final int side,
        final Runnable body)
    {
        try
        {
            pin(cpus, named, side);
            body.run();
        }
        catch (final Throwable ex)
        {
            failure.compareAndSet(null, ex);
        }
    }

    private static void pin(final int[] cpus, final boolean named, final int side)
    {
        if (null != cpus)
        {
            ThreadAffinity.pinOrWarn(cpus[side], named, "floor probe");
        }
    }

    private static void ping(
        final long[] line,
        final int samples,
        final int roundTripsPerSample,
        final int warmUpSamples,
        final double[] sampleNs,
        final AtomicReference<Throwable> failure)
    {
        long value = 0;
        for (int s = -warmUpSamples; s < samples; s++)
        {
            final long startNs = System.nanoTime();
            for (int i = 0; i < roundTripsPerSample; i++)
            {
                final long pingValue = value + 1;
                // release: publishes the ping; pairs with the echo's acquire load
                COUNTER.setRelease(line, INDEX, pingValue);
                value = pingValue + 1;
                if (!await(line, value, failure))
                {
                    return;
                }
            }
            if (s >= 0)
            {
                sampleNs[s] = (System.nanoTime() - startNs) / (double)roundTripsPerSample;
            }
        }
    }

    private static void echo(final long[] line, final long roundTrips, final AtomicReference<Throwable> failure)
    {
        for (long i = 0; i < roundTrips; i++)
        {
            final long pingValue = 2 * i + 1;
            if (!await(line, pingValue, failure))
            {
                return;
            }
            // release: publishes the answer; pairs with the ping's acquire load
            COUNTER.setRelease(line, INDEX, pingValue + 1);
        }
    }

    /**
     * Spin until the counter holds {@code expected}, with no pause instruction (it would be part of every round trip
     * measured), checking now and then for the other thread's failure and for 10 s without the answer.
     *
     * @return true when it does; false if the other thread failed.
     * @throws IllegalStateException after 10 s without it.
     */
    private static boolean await(final long[] line, final long expected, final AtomicReference<Throwable> failure)
    {
        long spins = 0;
        long startNs = 0;
        // acquire: pairs with the other thread's release store
        while (expected != (long)COUNTER.getAcquire(line, INDEX))
        {
            if (0 == (++spins & 0xFFFF))
            {
                if (null != failure.get())
                {
                    return false;
                }
                final long nowNs = System.nanoTime();
                if (0 == startNs)
                {
                    startNs = nowNs;
                }
                else if (nowNs - startNs > ANSWER_TIMEOUT_NS)
                {
                    throw new IllegalStateException("floor probe: no " + expected + " in 10 s");
                }
            }
        }
        return true;
    }

}
