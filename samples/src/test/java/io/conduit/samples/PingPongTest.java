package io.conduit.samples;

import io.conduit.file.ChannelFile;
import io.conduit.file.ChannelOptions;
import io.conduit.ring.Ring;
import io.conduit.ring.RingKind;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the ping-pong sample promises besides its percentiles: sequence numbers that catch a message from another run.
 * Each run is a real process, with the channels in a directory of the test's own.
 */
class PingPongTest
{
    private static final List<String> TINY =
        List.of("-Dconduit.samples.messages=2000", "-Dconduit.samples.warmup=1000");

    @TempDir
    Path dir;

    @TempDir
    Path logs;

    /** Output of the process {@link #start} started last. */
    private Path log;

    /**
     * The pong process checks the sequence number of every message: one left in the channel by another run is an
     * error naming the number found, the one expected and the file, and nothing is echoed.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldRefuseAMessageOutOfSequence() throws Exception
    {
        staleChannel("ping-stale", 41);
        ChannelFile.create(dir, "pong-stale", options()).close();
        final Process process = start(Pong.class, TINY, "stale");
        final String output = awaitExit(process, 60);
        assertNotEquals(0, process.exitValue(), output);
        assertTrue(output.contains("ping message: sequence=41 expected=0 file=" +
            ChannelFile.pathOf(dir, "ping-stale")), output);
        try (ChannelFile pong = ChannelFile.open(dir, "pong-stale"))
        {
            assertEquals(0, pong.ring().tailPosition(), "echoed");
        }
    }

    /**
     * A channel holding one unread message carrying {@code sequence}, as an earlier run killed mid-round-trip left.
     */
    private Path staleChannel(final String name, final long sequence) throws IOException
    {
        try (ChannelFile channel = ChannelFile.create(dir, name, options()))
        {
            final UnsafeBuffer message = new UnsafeBuffer(new byte[32]);
            message.putLong(0, sequence);
            final Ring ring = channel.ring();
            assertTrue(ring.offer(1, message, 0, message.capacity()));
            return channel.path();
        }
    }

    private static ChannelOptions options()
    {
        return ChannelOptions.defaults().kind(RingKind.SPSC).capacity(64 * 1024);
    }

    private Process start(final Class<?> mainClass, final List<String> properties, final String... args)
        throws IOException
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "-cp", System.getProperty("java.class.path"), "-Dconduit.dir=" + dir));
        command.addAll(properties);
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        // output to a file, not a pipe: the pong grandchild inherits it, and a pipe it held open would block the read
        log = Files.createTempFile(logs, mainClass.getSimpleName(), ".log");
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /**
     * Wait for the process to exit, killing it and its children if it runs over {@code seconds}, and return its output.
     */
    private String awaitExit(final Process process, final int seconds) throws Exception
    {
        final boolean exited = process.waitFor(seconds, TimeUnit.SECONDS);
        if (!exited)
        {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        final String output = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(exited, "timed out: " + output);
        return output;
    }
}
