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
        final String[] systems =
            {"line-ring", "line-ring-cleared-tail", "conduit-spsc", "conduit-spsc-lazy", "agrona-o2o"};
        RingRegimes.run(new String[]{"--systems", String.join(",", systems), "--rounds", "2", "--window-ms", "100"},
            new PrintStream(bytes, true, StandardCharsets.UTF_8));
        final String out = bytes.toString(StandardCharsets.UTF_8);

        final Matcher round = Pattern.compile("round 2: floor [0-9]+ ns, block [0-9.]+ ns/line, line-ring ([0-9.]+), " +
            "line-ring-cleared-tail ([0-9.]+), conduit-spsc ([0-9.]+), conduit-spsc-lazy ([0-9.]+), " +
            "agrona-o2o ([0-9.]+)").matcher(out);
        assertTrue(round.find(), out);
        for (int i = 1; i <= 5; i++)
        {
            assertTrue(Double.parseDouble(round.group(i)) > 0, out);
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

        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> RingRegimes.window("line-ring", 50, cpus, true));

        // a consumer left waiting would end the window with "the consumer did not stop within ..." instead
        assertEquals("line-ring: a thread failed", ex.getMessage());
        assertTrue(ex.getCause() instanceof LinkageError ||
            ex.getCause().getMessage().startsWith("sched_setaffinity to cpu=1000 failed"), ex::toString);
    }

    @Test
    void shouldTakeTheMeanOfTheTwoMiddleValuesOfAnEvenCount()
    {
        assertEquals(2.5, RingRegimes.median(new double[]{4, 1, 3, 2}));
        assertEquals(3.0, RingRegimes.median(new double[]{5, 3, 1}));
    }

    @Test
    void shouldRefuseBadOptionsByName()
    {
        assertEquals("--rounds=0: expected a positive integer", assertThrows(IllegalArgumentException.class,
            () -> RingRegimes.run(new String[]{"--rounds", "0"}, System.out)).getMessage());
        assertEquals("--window-ms=x: expected a positive integer", assertThrows(IllegalArgumentException.class,
            () -> RingRegimes.run(new String[]{"--window-ms", "x"}, System.out)).getMessage());
        assertEquals("--rounds: expected a value after it", assertThrows(IllegalArgumentException.class,
            () -> RingRegimes.run(new String[]{"--rounds"}, System.out)).getMessage());
        assertEquals("unknown option --size: expected --systems, --rounds or --window-ms",
            assertThrows(IllegalArgumentException.class,
                () -> RingRegimes.run(new String[]{"--size", "1"}, System.out)).getMessage());
        assertEquals("unknown option --size: expected --systems, --rounds or --window-ms",
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
