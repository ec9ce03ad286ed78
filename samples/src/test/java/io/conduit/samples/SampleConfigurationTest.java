package io.conduit.samples;

import io.conduit.file.ChannelFile;
import io.conduit.file.ChannelOptions;
import io.conduit.ring.ProcessIdentity;
import io.conduit.ring.RingKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.conduit.file.ChannelFileDescriptor.CONSUMER_PID_OFFSET;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The process helpers of {@link SampleConfiguration}, each in a real JVM: files registered for deletion only if this
 * run is the one to create them, and a started process that watches the very process that started it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SampleConfigurationTest
{
    @TempDir
    Path dir;

    /**
     * A file already there when the run registers it is another run's: its exit leaves it. A file that was not there
     * yet, created after, is deleted at exit.
     */
    @Test
    void shouldDeleteAtExitOnlyAFileThatWasNotThereYet() throws Exception
    {
        final Path theirs = Files.writeString(dir.resolve("theirs"), "another run's");
        final Path ours = dir.resolve("ours");
        final Process probe = java(List.of(), DeleteProbe.class.getName(), theirs.toString(), ours.toString());
        assertTrue(probe.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, probe.exitValue(), output(probe));

        assertEquals("another run's", Files.readString(theirs));
        assertFalse(Files.exists(ours), "ours left behind");
    }

    /**
     * The pong watches the process named by {@code conduit.samples.launcher}, not its parent: here a process that is
     * not its parent (its parent, this test's JVM, lives on). When that process is killed, the pong ends with its
     * error naming it, instead of spinning on channels nobody writes.
     */
    @Test
    void shouldEndThePongWhenItsLauncherDiesThoughItsParentLives() throws Exception
    {
        ChannelFile.create(dir, "ping-x", options()).close();
        ChannelFile.create(dir, "pong-x", options()).close();
        final Process launcher = new ProcessBuilder("sleep", "600").start();
        Process pong = null;
        try
        {
            pong = java(List.of("-D" + ChannelFile.DIR_PROP_NAME + "=" + dir,
                "-D" + SampleConfiguration.LAUNCHER_PROP_NAME + "=" + identity(launcher.toHandle())),
                Pong.class.getName(), "x");
            awaitConsumer(pong, "ping-x"); // past its look-up of the launcher, and polling: now kill the launcher
            launcher.destroyForcibly().waitFor();
            assertTrue(pong.waitFor(60, TimeUnit.SECONDS), "pong still running with its launcher gone");
            final String output = output(pong);
            assertNotEquals(0, pong.exitValue(), output);
            assertTrue(output.contains("pong: the ping process " + launcher.pid() + " is gone after 0 of "), output);
        }
        finally
        {
            launcher.destroyForcibly();
            if (null != pong)
            {
                pong.destroyForcibly(); // the test's parent outlives it: a pong that watched its parent spins on
            }
        }
    }

    /**
     * A launcher whose pid now belongs to another process (here this test's JVM, with a start instant not its own)
     * is gone: the pong refuses at once rather than watch the wrong process.
     */
    @Test
    void shouldRefuseALauncherWhosePidIsAnotherProcessNow() throws Exception
    {
        final String impostor = ProcessHandle.current().pid() + " " + Instant.EPOCH;
        final Process pong = java(List.of("-D" + ChannelFile.DIR_PROP_NAME + "=" + dir,
            "-D" + SampleConfiguration.LAUNCHER_PROP_NAME + "=" + impostor), Pong.class.getName(), "x");
        assertTrue(pong.waitFor(60, TimeUnit.SECONDS));
        final String output = output(pong);
        assertNotEquals(0, pong.exitValue(), output);
        assertTrue(output.contains("the launching process " + SampleConfiguration.LAUNCHER_PROP_NAME + "=" +
            impostor + " is gone already"), output);
    }

    /**
     * Wait until {@code process} has attached as the consumer of channel {@code name}, which it does at its first read.
     */
    private void awaitConsumer(final Process process, final String name) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (ChannelFile channel = ChannelFile.open(dir, name))
        {
            while (process.isAlive() && System.nanoTime() < deadlineNs)
            {
                final long word = channel.headerBuffer().getLongVolatile(CONSUMER_PID_OFFSET);
                if ((word & ProcessIdentity.PID_MASK) == process.pid())
                {
                    return;
                }
                Thread.sleep(10);
            }
        }
        throw new AssertionError("pid " + process.pid() + " never read " + name + ": " + output(process));
    }

    private static String identity(final ProcessHandle handle)
    {
        return handle.pid() + " " + handle.info().startInstant().map(Instant::toString).orElse("-");
    }

    private static ChannelOptions options()
    {
        return ChannelOptions.defaults().kind(RingKind.SPSC).capacity(64 * 1024);
    }

    private Process java(final List<String> properties, final String mainClass, final String... args)
        throws Exception
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "-cp", System.getProperty("java.class.path")));
        command.addAll(properties);
        command.add(mainClass);
        command.addAll(List.of(args));
        final Path log = Files.createTempFile(dir, "java", ".log");
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private String output(final Process process) throws Exception
    {
        try (var logs = Files.list(dir))
        {
            final StringBuilder text = new StringBuilder();
            for (final Path log : (Iterable<Path>)logs.filter((path) -> path.toString().endsWith(".log"))::iterator)
            {
                text.append(Files.readString(log, StandardCharsets.UTF_8));
            }
            return text.toString();
        }
    }

    /**
     * Registers its arguments with {@link SampleConfiguration#deleteOnExitIfNew}, then creates the second, as a
     * sample does, and exits.
     */
    static final class DeleteProbe
    {
        private DeleteProbe()
        {
        }

        /**
         * @param args a file that exists, then one to create.
         * @throws Exception if the second cannot be created.
         */
        public static void main(final String[] args) throws Exception
        {
            SampleConfiguration.deleteOnExitIfNew(Path.of(args[0]));
            SampleConfiguration.deleteOnExitIfNew(Path.of(args[1]));
            Files.createFile(Path.of(args[1]));
        }
    }
}
