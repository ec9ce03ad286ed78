package io.conduit.perf.harness;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The control protocol between the parent and a real {@link HarnessChild} JVM ({@link HarnessChild}'s Javadoc), with
 * this test as the parent: a repetition's directory, which the command carries last, may have spaces in its name (a
 * temporary directory under a user's home can).
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
