package io.conduit.perf.jmh.ring;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class RingFixtureTest
{
    @AfterEach
    void clearProperties()
    {
        System.clearProperty(RingFixture.AERON_TERM_LENGTH_PROP_NAME);
        System.clearProperty(RingFixture.AERON_IDLE_PROP_NAME);
        System.clearProperty(RingFixture.CAPACITY_PROP_NAME);
    }

    @Test
    void shouldDefaultAeronTermLengthAndIdleStrategy()
    {
        assertEquals(16 * 1024 * 1024, RingFixture.aeronTermLength());
        assertInstanceOf(BackoffIdleStrategy.class, RingFixture.aeronIdleStrategy());
    }

    @Test
    void shouldTakeAeronTermLengthFromProperty()
    {
        System.setProperty(RingFixture.AERON_TERM_LENGTH_PROP_NAME, "1048576");
        assertEquals(1048576, RingFixture.aeronTermLength());
        System.setProperty(RingFixture.AERON_TERM_LENGTH_PROP_NAME, "65536");
        assertEquals(65536, RingFixture.aeronTermLength());
        System.setProperty(RingFixture.AERON_TERM_LENGTH_PROP_NAME, "1073741824");
        assertEquals(1073741824, RingFixture.aeronTermLength());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1000000", "32768", "2147483647", "2147483648", "-65536", "lots", ""})
    void shouldRefuseBadAeronTermLength(final String value)
    {
        System.setProperty(RingFixture.AERON_TERM_LENGTH_PROP_NAME, value);
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, RingFixture::aeronTermLength);
        assertTrue(ex.getMessage().startsWith(RingFixture.AERON_TERM_LENGTH_PROP_NAME + "=" + value + ":"),
            ex.getMessage());
    }

    @Test
    void shouldTakeCapacityFromPropertyOrDefault()
    {
        assertEquals(256 * 1024, RingFixture.capacity());
        System.setProperty(RingFixture.CAPACITY_PROP_NAME, "65536");
        assertEquals(65536, RingFixture.capacity());
        System.setProperty(RingFixture.CAPACITY_PROP_NAME, " 268435456 ");
        assertEquals(268435456, RingFixture.capacity());
    }

    @ParameterizedTest
    @ValueSource(strings = {"32768", "536870912", "100000", "-65536", "4M", ""})
    void shouldRefuseBadCapacity(final String value)
    {
        System.setProperty(RingFixture.CAPACITY_PROP_NAME, value);
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, RingFixture::capacity);
        assertEquals(RingFixture.CAPACITY_PROP_NAME + "=" + value +
            ": expected a power of two from 65536 to 268435456 (bytes)", ex.getMessage());
    }

    @Test
    void shouldTakeAeronIdleStrategyFromProperty()
    {
        System.setProperty(RingFixture.AERON_IDLE_PROP_NAME, "yield");
        assertInstanceOf(YieldingIdleStrategy.class, RingFixture.aeronIdleStrategy());
        System.setProperty(RingFixture.AERON_IDLE_PROP_NAME, " spin ");
        assertInstanceOf(BusySpinIdleStrategy.class, RingFixture.aeronIdleStrategy());
    }

    @Test
    void shouldRefuseUnknownAeronIdleStrategy()
    {
        System.setProperty(RingFixture.AERON_IDLE_PROP_NAME, "sleep");
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, RingFixture::aeronIdleStrategy);
        assertEquals(RingFixture.AERON_IDLE_PROP_NAME + "=sleep: expected backoff, yield or spin", ex.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"conduit-spsc", "agrona-o2o", "aeron-ipc", "conduit-mpsc", "agrona-m2o", "jctools-spsc",
        "jctools-mpsc"})
    void shouldDeliverEveryMessageOfferedOnceWithItsFirstWord(final String ring) throws Exception
    {
        final int messages = 500;
        try (RingFixture fixture = new RingFixture(ring, 64 * 1024))
        {
            for (int i = 0; i < messages; i++)
            {
                assertTrue(fixture.offer(), ring + ": offer " + i + " refused");
            }
            int read = 0;
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (read < messages && System.nanoTime() < deadlineNs)
            {
                read += fixture.read(64);
            }

            assertEquals(messages, read, ring);
            assertEquals(0, fixture.read(64), ring + ": read more than was offered");
            assertEquals(ring.startsWith("jctools") ? 0 : messages, fixture.sum(),
                ring + ": each message's first word (all the benchmark's consumer reads), read once");
        }
    }

    /**
     * The lazy consumers of {@link RingRegimes} wait on this figure, the same way for every byte ring: what a message
     * takes in each (Conduit a 64-byte line, Agrona its 8-byte header and body, Aeron a 32-byte frame header and
     * body), back to 0 once everything is read.
     */
    @ParameterizedTest
    @ValueSource(strings = {"conduit-spsc:64", "conduit-mpsc:64", "agrona-o2o:40", "agrona-m2o:40", "aeron-ipc:64"})
    void shouldCountQueuedBytesAsEachRingLaysOutAMessage(final String ringAndBytes) throws Exception
    {
        final String ring = ringAndBytes.substring(0, ringAndBytes.indexOf(':'));
        final int bytesPerMessage = Integer.parseInt(ringAndBytes.substring(ringAndBytes.indexOf(':') + 1));
        final int messages = 100;
        try (RingFixture fixture = new RingFixture(ring, 64 * 1024))
        {
            assertEquals(0, fixture.queuedBytes(), ring);
            for (int i = 0; i < messages; i++)
            {
                assertTrue(fixture.offer(), ring + ": offer " + i + " refused");
            }
            assertEquals((long)messages * bytesPerMessage, fixture.queuedBytes(), ring);

            int read = 0;
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (read < messages && System.nanoTime() < deadlineNs)
            {
                read += fixture.read(64);
            }
            assertEquals(messages, read, ring);
            assertEquals(0, fixture.queuedBytes(), ring);
        }
    }

    @Test
    void shouldRefuseQueuedBytesOfAQueueOfReferences() throws Exception
    {
        try (RingFixture fixture = new RingFixture("jctools-spsc", 64 * 1024))
        {
            assertEquals("jctools-spsc: a queue of references has no queued bytes",
                assertThrows(IllegalStateException.class, fixture::queuedBytes).getMessage());
        }
    }
}
