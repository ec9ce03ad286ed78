package io.conduit.perf.harness;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The control protocol between the parent and a real {@link HarnessChild} JVM ({@link HarnessChild}'s Javadoc), with
 * this test as the parent:
 * <ul>
 *     <li>a repetition's directory, which the command carries last, may have spaces in its name (a temporary
 *     directory under a user's home can);</li>
 *     <li>a throughput child produces nothing until the parent says {@code GO}: the parent's clock, started just
 *     before, then covers every message, the ring's first fill too.</li>
 * </ul>
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HarnessChildProtocolTest
{
    private static final long CONTROL_TIMEOUT_MS = 30_000;
    private static final long REP_TIMEOUT_MS = 30_000;

    @TempDir
    Path dir;

    @Test
    void shouldServeRepsInADirectoryWithSpacesInItsName() throws Exception
    {
        final Path runDirectory = Files.createDirectory(dir.resolve("a run  directory "));
        try (ChildProcess child = new ChildProcess(-1))
        {
            for (final String system : List.of(FloorEndpoint.NAME, Systems.CONDUIT_SPSC, Systems.UDS_SPIN))
            {
                final Path repDirectory = Files.createDirectory(runDirectory.resolve("rep of " + system));
                assertEquals(100, pingPong(child, system, repDirectory), system);
            }
        }
    }

    @Test
    void shouldProduceNothingBeforeTheParentSaysGo() throws Exception
    {
        final int total = 1_000; // well inside the ring: a child that did not wait would send it all and say DONE
        try (ChildProcess child = new ChildProcess(-1); Endpoint endpoint = Systems.create(Systems.CONDUIT_SPSC))
        {
            final String token = endpoint.prepare(dir, 32);
            child.send("PRODUCE " + Systems.CONDUIT_SPSC + " 32 " + total + " " + REP_TIMEOUT_MS + " " + token);
            final String reply = child.expect("READY", CONTROL_TIMEOUT_MS);
            final Watchdog watchdog = new Watchdog(
                TimeUnit.MILLISECONDS.toNanos(REP_TIMEOUT_MS), child.handle(), "throughput " + Systems.CONDUIT_SPSC);
            endpoint.connect(reply, watchdog);

            final IOException silent = assertThrows(IOException.class, () -> child.expect("DONE", 1_000),
                "the child produced before GO");
            assertTrue(silent.getMessage().startsWith("child silent for 1000 ms"), silent.getMessage());

            child.send("GO");
            endpoint.consume(total, watchdog); // checks every message's sequence
            final String[] done = child.expect("DONE", REP_TIMEOUT_MS).split(" ");
            assertEquals(3, done.length);
            child.send("CLOSE");
            child.expect("CLOSED", CONTROL_TIMEOUT_MS);
        }
    }

    /**
     * One ping-pong rep of {@code system} over the protocol, as the harness runs it.
     *
     * @return round trips recorded.
     */
    private static long pingPong(final ChildProcess child, final String system, final Path repDirectory)
        throws Exception
    {
        final boolean floor = FloorEndpoint.NAME.equals(system);
        final int length = floor ? FloorEndpoint.COUNTER_LENGTH : 32;
        final Histogram histogram = new Histogram(3);
        try (Endpoint endpoint = Systems.create(system))
        {
            final String token = endpoint.prepare(repDirectory, length);
            child.send((floor ? "FLOOR " : "PING ") + system + " " + length + " 100 " + REP_TIMEOUT_MS + " " + token);
            final String reply = child.expect("READY", CONTROL_TIMEOUT_MS);
            final Watchdog watchdog = new Watchdog(
                TimeUnit.MILLISECONDS.toNanos(REP_TIMEOUT_MS), child.handle(), "ping-pong " + system);
            endpoint.connect(reply, watchdog);
            endpoint.pingPong(histogram, 0, 100, 0, watchdog);
            child.expect("DONE", REP_TIMEOUT_MS);
        }
        child.send("CLOSE");
        child.expect("CLOSED", CONTROL_TIMEOUT_MS);
        return histogram.getTotalCount();
    }
}
