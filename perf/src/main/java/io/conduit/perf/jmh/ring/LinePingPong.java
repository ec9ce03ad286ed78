package io.conduit.perf.jmh.ring;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The two-thread floor for {@link RingThroughputBenchmark}: two threads, pinned as its producer and consumer are
 * ({@link ThreadAffinity#cpus()}), ping-pong one counter on a line of its own, one thread storing odd values and the
 * other answering with the next even one. A round trip is two line transfers between the two CPUs and nothing else.
 * On a VM whose host moves the vCPUs the floor jumps between levels from minute to minute (two hardware threads of
 * one core hand a line over in far less time than two cores do), and a ring's lead over another depends on that
 * level: {@link io.conduit.perf.jmh.PairedRuns} {@code --floor} measures it before each fork.
 * <p>
 * Memory ordering: each release store of a value pairs with the other thread's acquire load of it.
 * <p>
 * Threading: {@link #medianRoundTripNs} starts and joins its own two threads; it allocates (threads, samples), so it
 * runs between forks, never inside a measurement.
 */
public final class LinePingPong
{
    private static final VarHandle COUNTER = MethodHandles.arrayElementVarHandle(long[].class);
    // the counter's index in a long[]: 128 bytes either side of it, so that it has its line, and its prefetch pair's
    // neighbour, to itself
    private static final int INDEX = 16;
    private static final int LENGTH = 2 * INDEX + 1;
    private static final long SAMPLE_TIMEOUT_NS = 10_000_000_000L;

    private LinePingPong()
    {
    }

    /**
     * Ping-pong {@code warmUpSamples + samples} samples of {@code roundTripsPerSample} round trips each, between
     * threads pinned to the benchmark's two CPUs (unpinned where {@link ThreadAffinity#cpus()} gives none).
     *
     * @param samples             samples measured, at least 1.
     * @param roundTripsPerSample round trips timed together per sample, at least 1.
     * @param warmUpSamples       samples run first and not measured, at least 0.
     * @return the median over the samples of the mean round trip within a sample, in nanoseconds.
     * @throws IllegalArgumentException if a count is out of range.
     * @throws IllegalStateException    if a thread cannot be pinned, or the echo stops answering for 10 s.
     * @throws InterruptedException     if interrupted while waiting for the echo thread.
     */
    public static double medianRoundTripNs(final int samples, final int roundTripsPerSample, final int warmUpSamples)
        throws InterruptedException
    {
        if (samples < 1 || roundTripsPerSample < 1 || warmUpSamples < 0)
        {
            throw new IllegalArgumentException("samples=" + samples + " roundTripsPerSample=" + roundTripsPerSample +
                " warmUpSamples=" + warmUpSamples + ": expected samples >= 1, roundTripsPerSample >= 1 and " +
                "warmUpSamples >= 0");
        }
        final int[] cpus = ThreadAffinity.cpus();
        final long[] line = new long[LENGTH];
        final long roundTrips = (long)(samples + warmUpSamples) * roundTripsPerSample;
        final Throwable[] echoFailure = new Throwable[1];
        final Thread echo = new Thread(() ->
        {
            try
            {
                if (null != cpus)
                {
                    ThreadAffinity.pin(cpus[1]);
                }
                echo(line, roundTrips);
            }
            catch (final Throwable ex)
            {
                echoFailure[0] = ex;
                COUNTER.setRelease(line, INDEX, -1L); // the pinger stops at once rather than at its timeout
            }
        }, "conduit-floor-echo");
        echo.setDaemon(true);

        final double[] sampleNs = new double[samples];
        final Throwable[] pingFailure = new Throwable[1];
        final Thread ping = new Thread(() ->
        {
            try
            {
                if (null != cpus)
                {
                    ThreadAffinity.pin(cpus[0]);
                }
                ping(line, samples, roundTripsPerSample, warmUpSamples, sampleNs);
            }
            catch (final Throwable ex)
            {
                pingFailure[0] = ex;
            }
        }, "conduit-floor-ping");
        ping.setDaemon(true);

        echo.start();
        ping.start();
        ping.join();
        if (null != pingFailure[0])
        {
            COUNTER.setRelease(line, INDEX, -1L); // a stopped pinger: the echo thread ends too
            echo.join();
            throw failure(null != echoFailure[0] ? echoFailure[0] : pingFailure[0]);
        }
        echo.join();
        Arrays.sort(sampleNs);
        return 0 == (samples & 1) ?
            (sampleNs[samples / 2 - 1] + sampleNs[samples / 2]) / 2 : sampleNs[samples / 2];
    }

    private static void ping(
        final long[] line,
        final int samples,
        final int roundTripsPerSample,
        final int warmUpSamples,
        final double[] sampleNs)
    {
        long value = 0;
        for (int s = -warmUpSamples; s < samples; s++)
        {
            final long startNs = System.nanoTime();
            for (int i = 0; i < roundTripsPerSample; i++)
            {
                final long pingValue = value + 1;
                COUNTER.setRelease(line, INDEX, pingValue);
                value = awaitAnswer(line, pingValue + 1, startNs);
            }
            if (s >= 0)
            {
                sampleNs[s] = (System.nanoTime() - startNs) / (double)roundTripsPerSample;
            }
        }
    }

    private static long awaitAnswer(final long[] line, final long expected, final long startNs)
    {
        long spins = 0;
        while (true)
        {
            final long seen = (long)COUNTER.getAcquire(line, INDEX);
            if (expected == seen)
            {
                return seen;
            }
            if (seen < 0)
            {
                throw new IllegalStateException("the echo thread failed");
            }
            // no Thread.onSpinWait: a pause instruction would be part of every round trip measured
            if (0 == (++spins & 0xFFFF) && System.nanoTime() - startNs > SAMPLE_TIMEOUT_NS)
            {
                throw new IllegalStateException("no answer to " + (expected - 1) + " in 10 s");
            }
        }
    }

    private static void echo(final long[] line, final long roundTrips)
    {
        final long startNs = System.nanoTime();
        long spins = 0;
        for (long i = 0; i < roundTrips; i++)
        {
            final long pingValue = 2 * i + 1;
            long seen;
            while (pingValue != (seen = (long)COUNTER.getAcquire(line, INDEX)))
            {
                if (seen < 0)
                {
                    return; // the pinger failed and said so
                }
                if (0 == (++spins & 0xFFFF) && System.nanoTime() - startNs > SAMPLE_TIMEOUT_NS + roundTrips * 1_000L)
                {
                    throw new IllegalStateException("no ping " + pingValue + " within the probe's time");
                }
            }
            COUNTER.setRelease(line, INDEX, pingValue + 1);
        }
    }

    private static RuntimeException failure(final Throwable cause)
    {
        if (cause instanceof RuntimeException)
        {
            return (RuntimeException)cause;
        }
        if (cause instanceof Error)
        {
            throw (Error)cause;
        }
        return new IllegalStateException(cause);
    }
}
