package io.conduit.perf.jmh.ring;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RingThroughputBenchmark}'s trial ends with a check that its consumer got what its producer sent: the
 * consumer's running sum of each message's first word (1 in every message) against the messages the producer's
 * position shows as sent, after reading what is still in the ring. Driven here as JMH drives a trial (set-up, offers
 * and reads, tear-down) on one thread, over several laps of each ring, so that Agrona's padding at the end of a lap
 * is crossed; the JCTools queues hand over references, not bytes, so they have nothing to check.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RingThroughputCheckTest
{
    /** Several laps of every ring at the default capacity: 6,553 of Agrona's 40-byte records fill one. */
    private static final int MESSAGES = 20_000;

    @ParameterizedTest
    @ValueSource(strings = {"conduit-spsc", "agrona-o2o", "aeron-ipc", "conduit-mpsc", "agrona-m2o", "jctools-spsc",
        "jctools-mpsc"})
    void shouldPassATrialWhoseConsumerGotEveryMessage(final String ring) throws Exception
    {
        final RingThroughputBenchmark benchmark = trial(ring);
        benchmark.tearDown();
    }

    @ParameterizedTest
    @ValueSource(strings = {"conduit-spsc", "agrona-o2o", "aeron-ipc", "conduit-mpsc", "agrona-m2o"})
    void shouldFailATrialWhoseConsumerLostAMessage(final String ring) throws Exception
    {
        final RingThroughputBenchmark benchmark = trial(ring);
        benchmark.fixture.counter.sum--; // as if one message had been lost, or had arrived with its first word changed

        final IllegalStateException ex = assertThrows(IllegalStateException.class, benchmark::tearDown);

        assertEquals(ring + ": the consumer's sum of first words=" + (MESSAGES - 1) + " expected=" + MESSAGES +
            " (the messages the producer sent, from its position)", ex.getMessage());
    }

    /**
     * @return a benchmark set up for {@code ring}, {@link #MESSAGES} offered, read in batches as they went, the
     * last 999 or more not read: the tear-down reads them.
     */
    private static RingThroughputBenchmark trial(final String ring) throws Exception
    {
        final RingThroughputBenchmark benchmark = new RingThroughputBenchmark();
        benchmark.ring = ring;
        benchmark.setUp();
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int read = 0;
        for (int offered = 0; offered < MESSAGES; offered++)
        {
            while (!benchmark.fixture.offer()) // Aeron refuses while its driver catches up
            {
                assertTrue(System.nanoTime() < deadlineNs, ring + ": offer " + offered + " refused until the deadline");
                read += benchmark.fixture.read(RingThroughputBenchmark.BATCH);
            }
            if (0 == offered % 1_000)
            {
                while (read < offered)
                {
                    assertTrue(System.nanoTime() < deadlineNs, ring + ": read " + read + " of " + offered);
                    read += benchmark.fixture.read(Math.min(RingThroughputBenchmark.BATCH, offered - read));
                }
            }
        }
        assertTrue(read < MESSAGES, ring + ": read " + read + ", nothing left for the tear-down");
        return benchmark;
    }
}
