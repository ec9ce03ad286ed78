package io.conduit.perf.harness;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The blocking kernel paths ({@code uds-block}, {@code tcp}, {@code fifo}) wait in a read that no spin loop's
 * {@link Watchdog} check reaches. A real child JVM connects, then is stopped with {@code SIGSTOP}: alive, holding its
 * ends open, and silent. The parent's ping-pong must fail at the rep's deadline, naming the system, not hang for
 * ever; the stalled child is killed to end the read.
 */
// a thread blocked in a read ignores interrupts: the timeout runs on a thread of its own
@Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BlockingDeadlineTest
{
    private static final long DEADLINE_MS = 2_000;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {Systems.UDS_BLOCK, Systems.TCP, Systems.FIFO})
    void shouldEndTheRepOfAStalledPeerAtTheDeadline(final String system) throws Exception
    {
        try (ChildProcess child = new ChildProcess(-1); Endpoint endpoint = Systems.create(system))
        {
            final String token = endpoint.prepare(dir, 32);
            child.send("PING " + system + " 32 1000 60000 " + token);
            final String reply = child.expect("READY", 30_000);
            // the child's connect may be slow on a loaded machine: it runs under a generous watchdog of its own,
            // and the rep's short deadline starts only once the child is stopped
            endpoint.connect(reply, new Watchdog(TimeUnit.SECONDS.toNanos(20), child.handle(), "connect " + system));
            stop(child.handle().pid());
            final Watchdog watchdog =
                new Watchdog(TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS), child.handle(), "ping-pong " + system);

            final Exception ex = assertThrows(Exception.class,
                () -> endpoint.pingPong(new Histogram(3), 0, 1_000, 0, watchdog));

            assertTrue(ex.getMessage().startsWith("timed out: ping-pong " + system + " after " + DEADLINE_MS + " ms"),
                () -> Harness.oneLine(ex));
            // killed, not left stopped: its exit is reaped a moment after the read saw its end of the socket close
            child.handle().onExit().get(10, TimeUnit.SECONDS);
            assertFalse(child.handle().isAlive(), "the stalled child was not killed");
        }
    }

    private static void stop(final long pid) throws Exception
    {
        final Process kill = new ProcessBuilder("kill", "-STOP", String.valueOf(pid)).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, kill.exitValue(), "kill -STOP " + pid);
    }
}
