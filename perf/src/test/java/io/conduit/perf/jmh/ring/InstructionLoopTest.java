package io.conduit.perf.jmh.ring;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The loop {@code perf/icount.sh} counts instructions of: every message it offers is read back (the ring loop checks
 * its batches, the codec benchmark's tear-down checks its count), for every ring and codec path, and bad options are
 * refused by name. Not a measurement.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InstructionLoopTest
{
    @ParameterizedTest
    @ValueSource(strings = {"conduit-spsc", "conduit-mpsc", "agrona-o2o", "agrona-m2o", "jctools-spsc"})
    void shouldOfferAndReadBackEveryMessageOfARing(final String ring) throws Exception
    {
        final String line = InstructionLoop.run(new String[] {
            "--ring", ring, "--warmup", "100", "--count", "10007", "--batch", "64", "--settle-ms", "0"});
        assertTrue(line.startsWith("ring " + ring + ": 10007 messages in "), line);
        final String largest = InstructionLoop.run(new String[] {"--ring", ring, "--warmup", "0", "--count", "10000",
            "--batch", String.valueOf(InstructionLoop.MAX_BATCH), "--settle-ms", "0"});
        assertTrue(largest.startsWith("ring " + ring + ": 10000 messages in "), largest);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sbe", "raw-offer", "raw"})
    void shouldSendAndReadEveryMessageOfACodecPath(final String path) throws Exception
    {
        final String line = InstructionLoop.run(new String[] {
            "--codec", path, "--warmup", "10", "--count", "5000", "--settle-ms", "0"});
        assertTrue(line.startsWith("codec " + path + ": 5000 messages in "), line);
    }

    @Test
    void shouldRefuseBadOptionsByName()
    {
        assertEquals("give one of --ring and --codec: " + usage(), refusal());
        assertEquals("give one of --ring and --codec: " + usage(), refusal("--ring", "a", "--codec", "sbe"));
        assertEquals("--count=0 expected a number >= 1", refusal("--ring", "conduit-spsc", "--count", "0"));
        assertEquals("--warmup=x expected a number >= 0", refusal("--ring", "conduit-spsc", "--warmup", "x"));
        assertEquals("--batch=2049 expected at most 2048 (a batch must fit the ring)",
            refusal("--ring", "conduit-spsc", "--batch", "2049"));
        assertEquals("unknown option --rings: " + usage(), refusal("--rings", "conduit-spsc"));
        assertEquals("--batch applies to --ring only: " + usage(), refusal("--codec", "sbe", "--batch", "8"));
        assertEquals("--batch applies to --ring only: " + usage(), refusal("--codec", "sbe", "--batch", "32"),
            "the default batch given is given all the same");
        assertEquals("--ring=aeron-ipc cannot run on one thread: its publisher limit moves on its media driver's " +
            "thread", refusal("--ring", "aeron-ipc"));
        assertEquals("--count expects a value: " + usage(), refusal("--ring", "conduit-spsc", "--count"));
        assertThrows(IllegalArgumentException.class,
            () -> InstructionLoop.run(new String[] {"--codec", "json", "--settle-ms", "0"}), "an unknown path");
    }

    private static String refusal(final String... args)
    {
        return assertThrows(IllegalArgumentException.class, () -> InstructionLoop.run(args)).getMessage();
    }

    private static String usage()
    {
        return "InstructionLoop (--ring NAME | --codec PATH) [--warmup N] [--count N] [--batch N] [--settle-ms N]";
    }
}
