package io.conduit.samples;

import io.conduit.file.ChannelFile;
import io.conduit.file.ChannelOptions;
import io.conduit.ring.RecordDescriptor;
import io.conduit.ring.Ring;
import io.conduit.ring.RingKind;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
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
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.conduit.file.ChannelFileDescriptor.MESSAGES_SENT_OFFSET;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the ping-pong sample promises besides its percentiles: channels of its own, created fresh and deleted when it
 * exits however it exits, a pong process that ends with it, and sequence numbers that catch a message from another
 * run. Each run is a real process, with the channels in a directory of the test's own.
 */
class PingPongTest
{
    private static final List<String> TINY =
        List.of("-Dconduit.samples.messages=2000", "-Dconduit.samples.warmup=1000");
    private static final List<String> ENDLESS = List.of("-Dconduit.samples.messages=1000000000");

    @TempDir
    Path dir;

    @TempDir
    Path logs;

    /** Output of the process {@link #start} started last. */
    private Path log;
    private Process started;
    private ProcessHandle pong;

    @AfterEach
    void killWhatIsLeft()
    {
        // a failed assertion must not leave a run of a billion round trips spinning on the machine
        if (null != started)
        {
            started.descendants().forEach(ProcessHandle::destroyForcibly);
            started.destroyForcibly();
        }
        if (null != pong)
        {
            pong.destroyForcibly();
        }
    }

    /**
     * Channels left by an earlier run (as a run killed in a container, as pid 1 again, left them under the names used
     * before), each holding a message nobody read: the run neither reads nor touches nor deletes them, and leaves
     * nothing of its own.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldUseFreshChannelsAndDeleteThem() throws Exception
    {
        final List<Path> stale = List.of(staleChannel("ping-1", 7), staleChannel("pong-1", 7));
        final byte[] ping1 = Files.readAllBytes(stale.get(0));
        final byte[] pong1 = Files.readAllBytes(stale.get(1));
        final Process ping = start(PingPong.class, TINY);
        final String output = awaitExit(ping, 60);
        assertEquals(0, ping.exitValue(), output);
        assertTrue(output.contains("2000 round trips (ns): p50="), output);
        assertEquals(stale, files(), output);
        assertArrayEquals(ping1, Files.readAllBytes(stale.get(0)));
        assertArrayEquals(pong1, Files.readAllBytes(stale.get(1)));
    }

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
     * A warm-up of 0 would time the first round trip, which waits for the pong process's JVM to start (287 ms as the
     * p99.99 and max of one such run): refused, naming the property, before anything runs.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldRefuseAWarmupOfZero() throws Exception
    {
        final Process process = start(PingPong.class, List.of("-Dconduit.samples.warmup=0"));
        final String output = awaitExit(process, 60);
        assertNotEquals(0, process.exitValue(), output);
        assertTrue(output.contains("conduit.samples.warmup=0 expected in [1, "), output);
    }

    /**
     * While it waits for a reply, the ping fails rather than wait for ever: when the pong process has exited, and
     * when the reply is overdue with the pong still running (a lost ping or reply), 10 s after the send, or 60 s for
     * the first, which waits for the pong's JVM to start.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldFailAWaitForAReplyThatCannotCome() throws Exception
    {
        final Process running = new ProcessBuilder("sleep", "30").start();
        try
        {
            final long nowNs = System.nanoTime();
            PingPong.checkAnswerable(running, 5, nowNs);
            PingPong.checkAnswerable(running, 0, nowNs - TimeUnit.SECONDS.toNanos(20));
            assertEquals("no reply to ping sequence=5 in 10 s, the pong process still running: a message was lost",
                assertThrows(IllegalStateException.class,
                    () -> PingPong.checkAnswerable(running, 5, nowNs - TimeUnit.SECONDS.toNanos(11))).getMessage());
            assertEquals("no reply to ping sequence=0 in 60 s, the pong process still running: a message was lost",
                assertThrows(IllegalStateException.class,
                    () -> PingPong.checkAnswerable(running, 0, nowNs - TimeUnit.SECONDS.toNanos(61))).getMessage());
        }
        finally
        {
            running.destroyForcibly().waitFor();
        }
        assertEquals("pong process exited with " + running.exitValue(), assertThrows(IllegalStateException.class,
            () -> PingPong.checkAnswerable(running, 5, System.nanoTime())).getMessage());
    }

    /**
     * Ctrl-C mid-run: the JVM's shutdown kills the pong process and deletes both channels, which were named for this
     * run, not for its pid alone (which a later process may have: pid 1 in every container). SIGINT, as a terminal
     * sends; SIGTERM where this process was started with SIGINT ignored (a background job of a non-interactive
     * shell), which its children inherit and a JVM then leaves ignored: the JVM shuts down alike on both.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldKillThePongAndDeleteTheChannelsOnCtrlC() throws Exception
    {
        final Process ping = start(PingPong.class, ENDLESS);
        awaitRoundTrips(ping);
        final String name = channelName("ping-");
        final String signal = Files.readString(Path.of("/proc", String.valueOf(ping.pid()), "status"))
            .lines().filter((line) -> line.startsWith("SigIgn:"))
            .map((line) -> 0 == (Long.parseLong(line.substring(7).trim(), 16) & 2) ? "-INT" : "-TERM")
            .findFirst().orElse("-INT");
        assertEquals(0, new ProcessBuilder("kill", signal, String.valueOf(ping.pid())).start().waitFor());
        final String output = awaitExit(ping, 30);
        assertEquals("-INT".equals(signal) ? 130 : 143, ping.exitValue(), output);
        checkPongKilledAndChannelsDeleted();
        assertTrue(name.matches("ping-" + ping.pid() + "-\\p{XDigit}+"), name);
    }

    /**
     * The ping fails mid-run: the header slot of every 64-byte record line of its reply channel is scribbled, again and
     * again, never a body (a body scribbled after the ping checked its header would fail it on the sequence number
     * instead). A scribbled header is a frame length past the ring, which only a reader checks, and the ping is the
     * only reader of that channel: so the one failure there can be is the ping's CorruptChannelException, on its main
     * thread, naming the reply channel. The pong reads only the other channel, so it has no error of its own to stop
     * on, and the ping is alive until its shutdown hooks have run, so the pong cannot see it gone before the hook's
     * kill was sent: its end with no error line of its own is the ping's hook's doing. Both channels are deleted.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldKillThePongAndDeleteTheChannelsWhenThePingFails() throws Exception
    {
        final Process ping = start(PingPong.class, ENDLESS);
        awaitRoundTrips(ping);
        final String replies = channelName("pong-");
        try (ChannelFile channel = ChannelFile.open(dir, replies))
        {
            final AtomicBuffer ring = channel.ringBuffer();
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (ping.isAlive() && System.nanoTime() < deadlineNs)
            {
                for (int offset = 0; offset < channel.capacity(); offset += RecordDescriptor.ALIGNMENT)
                {
                    ring.putLongVolatile(offset, 0x7F7F_7F7F_7F7F_7F7FL); // frame length 2,139,062,143
                }
            }
        }
        final String output = awaitExit(ping, 30);
        assertEquals(1, ping.exitValue(), output);
        final List<String> errors = output.lines().filter((line) -> line.startsWith("Exception in thread")).toList();
        assertEquals(1, errors.size(), output); // the ping's alone: the pong printed no error of its own
        assertTrue(errors.get(0).startsWith("Exception in thread \"main\" io.conduit.CorruptChannelException: " +
            "channel file ring: record frameLength=2139062143 "), output);
        assertTrue(errors.get(0).endsWith(" file=" + ChannelFile.pathOf(dir, replies)), output);
        checkPongKilledAndChannelsDeleted();
    }

    /**
     * The pong process has gone, killed by the ping: it did not have to find its parent gone (its error says it
     * did). No channel file is left, nor a temporary one.
     */
    private void checkPongKilledAndChannelsDeleted() throws Exception
    {
        assertTrue(null != pong.onExit().completeOnTimeout(null, 10, TimeUnit.SECONDS).join(), "pong still running");
        final String output = Files.readString(log, StandardCharsets.UTF_8); // the pong's output too, now it is done
        assertFalse(output.contains("is gone"), output);
        assertEquals(List.of(), files(), output);
    }

    /**
     * Wait until the ping has started its pong process (after creating both channels) and replies come back.
     */
    private void awaitRoundTrips(final Process ping) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadlineNs && ping.isAlive())
        {
            // the pong by its command line: not any child (JNA may run ldconfig while it finds libc, at the first open)
            pong = ping.children().filter((child) ->
                child.info().commandLine().map((line) -> line.contains(Pong.class.getName())).orElse(false))
                .findFirst().orElse(null);
            if (null != pong)
            {
                try (ChannelFile replies = ChannelFile.open(dir, channelName("pong-")))
                {
                    if (replies.headerBuffer().getLongVolatile(MESSAGES_SENT_OFFSET) > 100)
                    {
                        return;
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no round trips within 60 s: " + Files.readString(log));
    }

    private String channelName(final String prefix) throws IOException
    {
        final String file = files().stream().map((path) -> path.getFileName().toString())
            .filter((name) -> name.startsWith(prefix) && name.endsWith(ChannelFile.SUFFIX)).findFirst().orElseThrow();
        return file.substring(0, file.length() - ChannelFile.SUFFIX.length());
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

    private List<Path> files() throws IOException
    {
        try (Stream<Path> list = Files.list(dir))
        {
            return list.sorted().collect(Collectors.toList());
        }
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
        started = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return started;
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
