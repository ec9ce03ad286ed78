package io.conduit.perf.jmh.ring;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RingRegimes} runs each system for a window, checks the delivery, and prints a line a round and a median a
 * system; bad options and a lost message are refused by name. A smoke run: the rates mean nothing here.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RingRegimesTest
{
    @Test
    void shouldPrintARoundAndAMedianForEverySystem() throws Exception
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final String[] systems = {
            "line-ring", "line-ring-cleared-tail", "conduit-spsc", "conduit-spsc-lazy", "agrona-o2o",
            "agrona-o2o-lazy"};
        RingRegimes.run(new String[]{"--systems", String.join(",", systems), "--rounds", "2", "--window-ms", "100"},
            new PrintStream(bytes, true, StandardCharsets.UTF_8));
        final String out = bytes.toString(StandardCharsets.UTF_8);

        // the second round runs the systems in the reverse order of the first: none always runs last
        final String prefix = "round %d: floor [0-9]+ ns, block [0-9.]+ ns/line, %s [0-9.]+,";
        assertTrue(Pattern.compile(String.format(prefix, 1, systems[0])).matcher(out).find(), out);
        assertTrue(Pattern.compile(String.format(prefix, 2, systems[systems.length - 1])).matcher(out).find(), out);
        for (final String system : systems)
        {
            for (int round = 1; round <= 2; round++)
            {
                final Matcher rate = Pattern.compile("(?m)^round " + round + ": .*[:,] " + system + " ([0-9.]+)(,|$)")
                    .matcher(out);
                assertTrue(rate.find(), out);
                assertTrue(Double.parseDouble(rate.group(1)) > 0, out);
            }
        }
        for (final String system : systems)
        {
            assertTrue(Pattern.compile("(?m)^" + system + " +median [0-9.]+ msgs/us over 2 rounds$").matcher(out)
                .find(), out);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldFailTheLineRingsCheckIfTheConsumerLostOrChangedAMessage(final boolean cleared) throws Exception
    {
        try (RingRegimes.LineRing pair = new RingRegimes.LineRing(cleared, true))
        {
            final Thread producer = new Thread(pair::produce);
            final Thread consumer = new Thread(pair::consume);
            producer.start();
            consumer.start();
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            // several laps of the ring: 4,096 records a lap
            while (pair.delivered() < 100_000 && System.nanoTime() < deadlineNs)
            {
                Thread.onSpinWait();
            }
            assertTrue(pair.delivered() >= 100_000, "delivered " + pair.delivered() + " in 30 s");
            pair.stop = true;
            producer.join();
            pair.producerDone = true;
            consumer.join();
            pair.check(); // whole: every message read once, the sum of their sequence numbers right

            pair.changeForTest(3);

            final IllegalStateException changed = assertThrows(IllegalStateException.class, pair::check);
            assertTrue(changed.getMessage().startsWith("line-ring: the consumer's sum of sequence numbers="),
                changed.getMessage());

            pair.changeForTest(-3);
            pair.check();
            pair.loseForTest(7);

            final IllegalStateException lost = assertThrows(IllegalStateException.class, pair::check);
            assertTrue(lost.getMessage().startsWith("line-ring: the consumer read "), lost.getMessage());
        }
    }

    @Test
    void shouldEndTheWindowWithTheFailureWhenAThreadCannotStart() throws Exception
    {
        // CPUs named but not allowed: the producer fails to pin; the consumer must stop rather than wait for it
        final int[] cpus = {1000, 0};

        // a 10-minute window: it must end when the thread fails, well within the class's timeout
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> RingRegimes.window("line-ring", 600_000, cpus, true));

        // a consumer left waiting would end the window with "the consumer did not stop within ..." instead
        assertEquals("line-ring: a thread failed", ex.getMessage());
        assertTrue(ex.getCause() instanceof LinkageError ||
            ex.getCause().getMessage().startsWith("sched_setaffinity to cpu=1000 failed"), ex::toString);
    }

    @Test
    void shouldRefuseBadOptionsByName()
    {
        assertEquals("--rounds=0 expected a number >= 1", assertThrows(IllegalArgumentException.class,
            () -> RingRegimes.run(new String[]{"--rounds", "0"}, System.out)).getMessage());
        assertEquals("--window-ms=x expected a number >= 1", assertThrows(IllegalArgumentException.class,
            () -> RingRegimes.run(new String[]{"--window-ms", "x"}, System.out)).getMessage());
        assertEquals("--lazy-bytes=-1 expected a number >= 1", assertThrows(IllegalArgumentException.class,
            () -> RingRegimes.run(new String[]{"--lazy-bytes", "-1"}, System.out)).getMessage());
        assertEquals("--rounds: expected a value after it", assertThrows(IllegalArgumentException.class,
            () -> RingRegimes.run(new String[]{"--rounds"}, System.out)).getMessage());
        assertEquals("unknown option --size: expected --systems, --rounds, --window-ms, --lazy-bytes",
            assertThrows(IllegalArgumentException.class,
                () -> RingRegimes.run(new String[]{"--size", "1"}, System.out)).getMessage());
        assertEquals("unknown option --size: expected --systems, --rounds, --window-ms, --lazy-bytes",
            assertThrows(IllegalArgumentException.class,
                () -> RingRegimes.run(new String[]{"--size"}, System.out)).getMessage());
        final IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
            () -> RingRegimes.run(new String[]{"--systems", "pipe"}, System.out));
        assertTrue(unknown.getMessage().startsWith("ring=pipe expected one of"), unknown.getMessage());
        assertEquals("system=line-ring-x: expected line-ring, line-ring-cleared, line-ring-tail or " +
            "line-ring-cleared-tail", assertThrows(IllegalArgumentException.class,
                () -> RingRegimes.run(new String[]{"--systems", "line-ring-x"}, System.out)).getMessage());
    }
}
